from claude_tui.launch import main

raise SystemExit(main())
