from moviespider.bench.cli import main

raise SystemExit(main())
