package engine

import "github.com/nuvola-pa/nuvola/hcl/funcs"

func sensitiveMark() any { return funcs.SensitiveMark }
