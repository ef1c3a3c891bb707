"""One jurisdiction set up from one YAML file, and written back to one."""
