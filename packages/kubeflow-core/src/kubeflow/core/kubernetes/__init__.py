"""The generic Kubernetes backend: configuration, typed errors, retries, custom objects, watch, pods and logs.

Importing this package does not import the `kubernetes` client; the modules that need it import it on first use.
"""
