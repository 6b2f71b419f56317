from hello_server.cli import main

raise SystemExit(main())
