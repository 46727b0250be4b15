"""The application shell: CLI, config, scheduler. The only package that imports all the others."""
