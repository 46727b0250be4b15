"""Git sources: whole history at blob speed, pushed ranges, staged changes, incremental scans."""
