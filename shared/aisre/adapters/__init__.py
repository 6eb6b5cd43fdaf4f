"""Adapters: the only code that talks to AWS SDKs and other outside systems; one package per technology."""
