from leakbot.cli import main

raise SystemExit(main())
