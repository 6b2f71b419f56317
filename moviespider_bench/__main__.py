from moviespider_bench.cli import main

raise SystemExit(main())
