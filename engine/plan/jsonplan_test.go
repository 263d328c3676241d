package plan

import "flag"

var update = flag.Bool("update", false, "rewrite the golden files under testdata/json and the fuzz seed corpus")
