"""The console's pure rules: which asset paths are served, their content types, the security headers."""
