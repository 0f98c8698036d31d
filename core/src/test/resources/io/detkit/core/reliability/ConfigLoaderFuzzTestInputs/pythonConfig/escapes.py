x = '\x41\u00e9\N{BULLET}\777'
