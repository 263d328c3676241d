package funcs

import (
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"

	"github.com/apparentlymart/go-cidr/cidr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/gocty"
)

var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var hostNum *big.Int
		if err := gocty.FromCtyValue(args[1], &hostNum); err != nil {
			return cty.UnknownVal(cty.String), err
		}
		network, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		ip, err := cidr.HostBig(network, hostNum)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(ip.String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		network, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if network.IP.To4() == nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("IPv6 addresses cannot have a netmask: %s", args[0].AsString())
		}
		return cty.StringVal(net.IP(network.Mask).String()), nil
	},
})

var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var newbits int
		if err := gocty.FromCtyValue(args[1], &newbits); err != nil {
			return cty.UnknownVal(cty.String), err
		}
		var netnum *big.Int
		if err := gocty.FromCtyValue(args[2], &netnum); err != nil {
			return cty.UnknownVal(cty.String), err
		}
		network, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if newbits < 0 {
			return cty.UnknownVal(cty.String), fmt.Errorf("newbits must not be negative")
		}
		// go-cidr compares only the low 64 bits of netnum, which is not
		// enough for IPv6 extensions.
		ones, bits := network.Mask.Size()
		if ones+newbits <= bits && netnum.Sign() >= 0 && netnum.BitLen() > newbits {
			return cty.UnknownVal(cty.String), fmt.Errorf("prefix extension of %d does not accommodate a subnet numbered %d", newbits, netnum)
		}
		subnet, err := cidr.SubnetBig(network, newbits, netnum)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(subnet.String()), nil
	},
})

var cidrSubnetsFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam:     &function.Parameter{Name: "newbits", Type: cty.Number},
	Type:         function.StaticReturnType(cty.List(cty.String)),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		network, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(retType), function.NewArgError(0, err)
		}
		startLen, _ := network.Mask.Size()
		addrBits := len(network.IP) * 8

		lengths := args[1:]
		if len(lengths) == 0 {
			return cty.ListValEmpty(cty.String), nil
		}

		out := make([]cty.Value, len(lengths))
		var current *net.IPNet
		for i, arg := range lengths {
			var extra int
			if err := gocty.FromCtyValue(arg, &extra); err != nil {
				return cty.UnknownVal(retType), function.NewArgError(i+1, err)
			}
			if extra < 1 {
				return cty.UnknownVal(retType), function.NewArgErrorf(i+1, "must extend prefix by at least one bit")
			}
			// Limited to 32 so results agree between 32- and 64-bit hosts.
			if extra > 32 {
				return cty.UnknownVal(retType), function.NewArgErrorf(i+1, "may not extend prefix by more than 32 bits")
			}
			length := startLen + extra
			if length > addrBits {
				protocol := "IP"
				switch addrBits {
				case 32:
					protocol = "IPv4"
				case 128:
					protocol = "IPv6"
				}
				return cty.UnknownVal(retType), function.NewArgErrorf(i+1, "would extend prefix to %d bits, which is too long for an %s address", length, protocol)
			}

			var next *net.IPNet
			if current == nil {
				next = &net.IPNet{IP: network.IP, Mask: net.CIDRMask(length, addrBits)}
			} else {
				var rollover bool
				next, rollover = cidr.NextSubnet(current, length)
				// Running past the base prefix would start allocating
				// addresses outside the caller's network.
				if rollover || !network.Contains(next.IP) {
					return cty.UnknownVal(retType), function.NewArgErrorf(i+1, "not enough remaining address space for a subnet with a prefix of %d bits after %s", length, current.String())
				}
			}
			current = next
			out[i] = cty.StringVal(current.String())
		}
		return cty.ListVal(out), nil
	},
})

var cidrContainsFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "containing_prefix", Type: cty.String},
		{Name: "contained_ip_or_prefix", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.Bool),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		prefix := args[0].AsString()
		addr := args[1].AsString()
		containing, err := parseCIDR(prefix)
		if err != nil {
			return cty.UnknownVal(cty.Bool), err
		}
		start := parseIP(addr)
		var end net.IP
		if start == nil {
			contained, err := parseCIDR(addr)
			if err != nil {
				return cty.UnknownVal(cty.Bool), fmt.Errorf("invalid IP address or prefix: %s", addr)
			}
			start, end = cidr.AddressRange(contained)
		}
		if (start.To4() == nil) != (containing.IP.To4() == nil) {
			return cty.UnknownVal(cty.Bool), fmt.Errorf("address family mismatch: %s vs. %s", prefix, addr)
		}
		result := containing.Contains(start)
		if end != nil {
			result = result && containing.Contains(end)
		}
		return cty.BoolVal(result), nil
	},
})

// parseCIDR accepts IPv4 octets with leading zeros, read as decimal, as Go
// did before 1.17; OpenTofu kept that behaviour so existing configurations
// such as "010.0.0.0/8" still work.
func parseCIDR(s string) (*net.IPNet, error) {
	addr, bits, ok := strings.Cut(s, "/")
	if !ok {
		return nil, fmt.Errorf("invalid CIDR expression: invalid CIDR address: %s", s)
	}
	ip := parseIP(addr)
	n, err := strconv.Atoi(bits)
	if ip == nil || err != nil || bits == "" || bits[0] == '+' || bits[0] == '-' {
		return nil, fmt.Errorf("invalid CIDR expression: invalid CIDR address: %s", s)
	}
	addrBits := 128
	if v4 := ip.To4(); v4 != nil && !strings.Contains(addr, ":") {
		ip = v4
		addrBits = 32
	}
	if n < 0 || n > addrBits {
		return nil, fmt.Errorf("invalid CIDR expression: invalid CIDR address: %s", s)
	}
	mask := net.CIDRMask(n, addrBits)
	return &net.IPNet{IP: ip.Mask(mask), Mask: mask}, nil
}

func parseIP(s string) net.IP {
	if ip := net.ParseIP(s); ip != nil {
		return ip
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return nil
	}
	var octets [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 || strings.TrimLeft(p, "0123456789") != "" {
			return nil
		}
		v, err := strconv.Atoi(p)
		if err != nil || v > 255 {
			return nil
		}
		octets[i] = byte(v)
	}
	return net.IPv4(octets[0], octets[1], octets[2], octets[3])
}
