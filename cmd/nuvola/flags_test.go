package main

import "flag"

// update rewrites golden files instead of comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")
