"""Sources turn inputs (files, directories, logs, stdin, diffs) into fragments."""
