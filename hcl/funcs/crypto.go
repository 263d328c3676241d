package funcs

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

func hexEnc(b []byte) string { return hex.EncodeToString(b) }
func b64(b []byte) string    { return base64.StdEncoding.EncodeToString(b) }

var (
	md5Func          = makeStringHashFunc(md5.New, hexEnc)
	sha1Func         = makeStringHashFunc(sha1.New, hexEnc)
	sha256Func       = makeStringHashFunc(sha256.New, hexEnc)
	sha512Func       = makeStringHashFunc(sha512.New, hexEnc)
	base64Sha256Func = makeStringHashFunc(sha256.New, b64)
	base64Sha512Func = makeStringHashFunc(sha512.New, b64)
)

func makeStringHashFunc(newHash func() hash.Hash, encode func([]byte) string) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{{Name: "str", Type: cty.String}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			h := newHash()
			_, _ = io.WriteString(h, args[0].AsString())
			return cty.StringVal(encode(h.Sum(nil))), nil
		},
	})
}

func makeFileHashFunc(baseDir string, newHash func() hash.Hash, encode func([]byte) string) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{{Name: "path", Type: cty.String, AllowMarked: true}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pathVal, marks := args[0].Unmark()
			f, err := openFile(baseDir, pathVal.AsString(), marks)
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			defer f.Close()
			h := newHash()
			if _, err := io.Copy(h, f); err != nil {
				return cty.UnknownVal(cty.String), fmt.Errorf("failed to read file: %w", err)
			}
			// A digest reveals nothing usable about the path, but the path
			// choice itself may be secret, so its marks carry over.
			return cty.StringVal(encode(h.Sum(nil))).WithMarks(marks), nil
		},
	})
}

var uuidFunc = function.New(&function.Spec{
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		id, err := uuid.NewRandom()
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(id.String()), nil
	},
})

var uuidV5Func = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "namespace", Type: cty.String},
		{Name: "name", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ns uuid.UUID
		switch raw := args[0].AsString(); raw {
		case "dns":
			ns = uuid.NameSpaceDNS
		case "url":
			ns = uuid.NameSpaceURL
		case "oid":
			ns = uuid.NameSpaceOID
		case "x500":
			ns = uuid.NameSpaceX500
		default:
			parsed, err := uuid.Parse(raw)
			if err != nil {
				return cty.UnknownVal(cty.String), fmt.Errorf("uuidv5() doesn't support namespace %s (%w)", raw, err)
			}
			ns = parsed
		}
		return cty.StringVal(uuid.NewSHA1(ns, []byte(args[1].AsString())).String()), nil
	},
})

var rsaDecryptFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "ciphertext", Type: cty.String},
		{Name: "privatekey", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := args[0].AsString()
		ciphertext, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "failed to decode input %q: cipher text must be base64-encoded", s)
		}
		key, err := parseRSAPrivateKey([]byte(args[1].AsString()))
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(1, err)
		}
		//nolint:staticcheck // rsadecrypt is defined in terms of PKCS #1 v1.5 for compatibility.
		out, err := rsa.DecryptPKCS1v15(nil, key, ciphertext)
		if err != nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("failed to decrypt: %w", err)
		}
		return cty.StringVal(string(out)), nil
	},
})

func parseRSAPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("invalid private key: no key found")
	}
	if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // only detecting, never decrypting
		return nil, errors.New("invalid private key: the key is protected by a passphrase")
	}
	var (
		raw any
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		raw, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		raw, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("invalid private key: unsupported key type %q", block.Type)
	}
	if err != nil {
		var syn asn1.SyntaxError
		var st asn1.StructuralError
		switch {
		case errors.As(err, &syn):
			return nil, errors.New(strings.ReplaceAll(syn.Error(), "asn1: syntax error", "invalid ASN1 data in the given private key"))
		case errors.As(err, &st):
			return nil, errors.New(strings.ReplaceAll(st.Error(), "asn1: structure error", "invalid ASN1 data in the given private key"))
		default:
			return nil, fmt.Errorf("invalid private key: %w", err)
		}
	}
	key, ok := raw.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("invalid private key type %T", raw)
	}
	return key, nil
}
