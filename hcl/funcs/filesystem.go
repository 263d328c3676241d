package funcs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// pathParam keeps marks so that a sensitive path is redacted from errors
// and its marks carry over to the result.
var pathParam = function.Parameter{Name: "path", Type: cty.String, AllowMarked: true}

func makeFileFunc(baseDir string, asBase64 bool) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{pathParam},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pathVal, marks := args[0].Unmark()
			path := pathVal.AsString()
			src, err := readFileBytes(baseDir, path, marks)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			if asBase64 {
				return cty.StringVal(b64(src)).WithMarks(marks), nil
			}
			if !utf8.Valid(src) {
				return cty.UnknownVal(cty.String), fmt.Errorf("contents of %s are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead", redactIfSensitive(path, marks))
			}
			return cty.StringVal(string(src)).WithMarks(marks), nil
		},
	})
}

func makeFileExistsFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{pathParam},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pathVal, marks := args[0].Unmark()
			path, err := resolvePath(baseDir, pathVal.AsString())
			if err != nil {
				return cty.UnknownVal(cty.Bool), err
			}
			fi, err := os.Stat(path)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return cty.False.WithMarks(marks), nil
				}
				return cty.UnknownVal(cty.Bool), fmt.Errorf("failed to stat %s", redactIfSensitive(path, marks))
			}
			if fi.Mode().IsRegular() {
				return cty.True.WithMarks(marks), nil
			}
			name := redactIfSensitive(path, marks)
			mode := fi.Mode().Type()
			switch {
			case mode&os.ModeDir != 0:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is a directory, not a file", name)
			case mode&os.ModeDevice != 0:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is a device node, not a regular file", name)
			case mode&os.ModeNamedPipe != 0:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is a named pipe, not a regular file", name)
			case mode&os.ModeSocket != 0:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is a unix domain socket, not a regular file", name)
			default:
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is not a regular file", name)
			}
		},
	})
}

func makeFileSetFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			pathParam,
			{Name: "pattern", Type: cty.String, AllowMarked: true},
		},
		Type:         function.StaticReturnType(cty.Set(cty.String)),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			pathVal, pathMarks := args[0].Unmark()
			patternVal, patternMarks := args[1].Unmark()
			marks := []cty.ValueMarks{pathMarks, patternMarks}

			dir := pathVal.AsString()
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(baseDir, dir)
			}
			pattern := filepath.Join(dir, patternVal.AsString())

			matches, err := doublestar.FilepathGlob(pattern)
			if err != nil {
				return cty.UnknownVal(retType), fmt.Errorf("failed to glob pattern %s: %w", redactIfSensitive(pattern, marks...), err)
			}
			var vals []cty.Value
			for _, match := range matches {
				fi, err := os.Stat(match)
				if err != nil {
					return cty.UnknownVal(retType), fmt.Errorf("failed to stat %s: %w", redactIfSensitive(match, marks...), err)
				}
				if !fi.Mode().IsRegular() {
					continue
				}
				rel, err := filepath.Rel(dir, match)
				if err != nil {
					return cty.UnknownVal(retType), fmt.Errorf("failed to trim path of match %s: %w", redactIfSensitive(match, marks...), err)
				}
				// Forward slashes keep results identical across platforms.
				vals = append(vals, cty.StringVal(filepath.ToSlash(rel)))
			}
			if len(vals) == 0 {
				return cty.SetValEmpty(cty.String).WithMarks(marks...), nil
			}
			return cty.SetVal(vals).WithMarks(marks...), nil
		},
	})
}

var basenameFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "path", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(filepath.Base(args[0].AsString())), nil
	},
})

var dirnameFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "path", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(filepath.Dir(args[0].AsString())), nil
	},
})

// makeAbsPathFunc resolves relative paths against the module directory
// rather than the process working directory, so the result does not depend
// on where the tool was started.
func makeAbsPathFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{{Name: "path", Type: cty.String}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) && baseDir != "" {
				p = filepath.Join(baseDir, p)
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(filepath.ToSlash(abs)), nil
		},
	})
}

var pathExpandFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "path", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := expandHome(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(p), nil
	},
})

// expandHome replaces a leading "~" with the current user's home directory.
// "~user" forms are rejected because resolving other users' homes is not
// portable.
func expandHome(p string) (string, error) {
	if p == "" || p[0] != '~' {
		return p, nil
	}
	if len(p) > 1 && p[1] != '/' && p[1] != '\\' {
		return "", errors.New("cannot expand user-specific home dir")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, p[1:]), nil
}

func resolvePath(baseDir, p string) (string, error) {
	p, err := expandHome(p)
	if err != nil {
		return "", fmt.Errorf("failed to expand ~: %w", err)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	return filepath.Clean(p), nil
}

func openFile(baseDir, path string, marks cty.ValueMarks) (*os.File, error) {
	resolved, err := resolvePath(baseDir, path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(resolved)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no file exists at %s; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource", redactIfSensitive(resolved, marks))
		}
		if hasSensitive(marks) {
			return nil, errors.New("failed to open (sensitive value)")
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory, not a file", redactIfSensitive(resolved, marks))
	}
	return f, nil
}

// maxFileSize bounds how much a single file function reads into memory;
// configuration-distributed files are far smaller in practice, while a path
// such as /dev/zero would otherwise never finish.
const maxFileSize = 256 << 20

func readFileBytes(baseDir, path string, marks cty.ValueMarks) ([]byte, error) {
	f, err := openFile(baseDir, path, marks)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read file: %w", err)
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", redactIfSensitive(path, marks), maxFileSize)
	}
	return src, nil
}
