from server.start import main

raise SystemExit(main())
