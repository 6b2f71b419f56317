from hello_server.bench.run import main

raise SystemExit(main())
