"""The shared kernel: settings, errors, observability, auth, the scope that builds parts, the table's base, HTTP
plumbing. No capability code.
"""
