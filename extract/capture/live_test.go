package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLiveConfigValidate(t *testing.T) {
	valid := DefaultLiveConfig()
	valid.Interface, valid.Output = "eth0", "out.pcap"
	many := func(n int) []uint16 {
		p := make([]uint16, n)
		for i := range p {
			p[i] = uint16(i + 1)
		}
		return p
	}
	manyHosts := func(n int) []netip.Addr {
		h := make([]netip.Addr, n)
		for i := range h {
			h[i] = netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
		}
		return h
	}
	tests := []struct {
		name   string
		change func(c *LiveConfig)
		want   string // "" for valid
	}{
		{"default with interface and output", func(*LiveConfig) {}, ""},
		{"filters at their limits", func(c *LiveConfig) {
			c.Ports, c.Hosts, c.Duration = many(MaxFilterPorts), manyHosts(MaxFilterHosts), time.Minute
		}, ""},
		{"no interface", func(c *LiveConfig) { c.Interface = "" }, "no interface given"},
		{"no output", func(c *LiveConfig) { c.Output = "" }, "no output file given"},
		{"negative duration", func(c *LiveConfig) { c.Duration = -time.Second }, "negative duration -1s"},
		{"snap length 0", func(c *LiveConfig) { c.SnapLen = 0 }, "snap length 0 outside 1..262144"},
		{"snap length too large", func(c *LiveConfig) { c.SnapLen = DefaultSnapLen + 1 }, "snap length 262145 outside 1..262144"},
		{"too many ports", func(c *LiveConfig) { c.Ports = many(MaxFilterPorts + 1) }, "129 ports in the filter, at most 128"},
		{"too many hosts", func(c *LiveConfig) { c.Hosts = manyHosts(MaxFilterHosts + 1) }, "129 hosts in the filter, at most 128"},
		{"port 0", func(c *LiveConfig) { c.Ports = []uint16{53, 0} }, "port 0 cannot be filtered on"},
		{"zero host", func(c *LiveConfig) { c.Hosts = []netip.Addr{{}} }, "invalid host address"},
		{"host with zone", func(c *LiveConfig) { c.Hosts = addrs("fe80::1%eth0") }, "host fe80::1%eth0: zones cannot be filtered on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() error = %v, want nil", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLiveErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantPerm bool
		want     string
	}{
		{"EPERM", syscall.EPERM, true, "capture on eth0: no permission to capture (need root or CAP_NET_RAW)"},
		{"EACCES", syscall.EACCES, true, "capture on eth0: no permission to capture (need root or CAP_NET_RAW)"},
		{"wrapped EPERM", fmt.Errorf("open packet socket: %w", syscall.EPERM), true, "capture on eth0: no permission to capture (need root or CAP_NET_RAW)"},
		{"ENODEV", fmt.Errorf("bind packet socket: %w", syscall.ENODEV), false, "capture on eth0: bind packet socket: no such device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := liveError("eth0", tt.err)
			if got := errors.Is(err, ErrPermission); got != tt.wantPerm {
				t.Errorf("errors.Is(%v, ErrPermission) = %v, want %v", err, got, tt.wantPerm)
			}
			if err.Error() != tt.want {
				t.Errorf("liveError() = %q, want %q", err, tt.want)
			}
		})
	}
}

func TestInterfaces(t *testing.T) {
	got, err := Interfaces()
	if err != nil {
		t.Fatalf("Interfaces() error = %v", err)
	}
	sys, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sys) {
		t.Fatalf("Interfaces() lists %d interfaces, the system %d", len(got), len(sys))
	}
	for i, ifi := range sys {
		g := got[i]
		if g.Name != ifi.Name || g.Index != ifi.Index || g.MTU != ifi.MTU || g.HardwareAddr != ifi.HardwareAddr.String() {
			t.Errorf("Interfaces()[%d] = %+v, want name %s index %d mtu %d hw %q", i, g, ifi.Name, ifi.Index, ifi.MTU, ifi.HardwareAddr)
		}
		if loop := ifi.Flags&net.FlagLoopback != 0; loop != slices.Contains(g.Flags, "loopback") {
			t.Errorf("%s: flags %v, loopback is %v", g.Name, g.Flags, loop)
		}
		if up := ifi.Flags&net.FlagUp != 0; up != slices.Contains(g.Flags, "up") {
			t.Errorf("%s: flags %v, up is %v", g.Name, g.Flags, up)
		}
		addrs, _ := ifi.Addrs()
		if len(g.Addresses) != len(addrs) {
			t.Errorf("%s: %d addresses, the system has %d", g.Name, len(g.Addresses), len(addrs))
		}
		for _, a := range g.Addresses {
			if _, err := netip.ParsePrefix(a); err != nil || strings.HasPrefix(a, "::ffff:") {
				t.Errorf("%s: address %q is not a plain prefix", g.Name, a)
			}
			if ifi.Flags&net.FlagLoopback != 0 && strings.HasPrefix(a, "127.") && a != "127.0.0.1/8" {
				t.Errorf("%s: loopback address %q, want 127.0.0.1/8", g.Name, a)
			}
		}
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"name"`, `"index"`, `"mtu"`, `"flags"`, `"addresses"`, `"hardware_addr"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestAddrString(t *testing.T) {
	tests := []struct {
		in   net.Addr
		want string
	}{
		{&net.IPNet{IP: net.ParseIP("192.0.2.1"), Mask: net.CIDRMask(24, 32)}, "192.0.2.1/24"},
		{&net.IPNet{IP: net.ParseIP("192.0.2.1").To16(), Mask: net.CIDRMask(120, 128)}, "192.0.2.1/24"},
		{&net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(64, 128)}, "2001:db8::1/64"},
		{&net.IPAddr{IP: net.ParseIP("192.0.2.9")}, "192.0.2.9"},
	}
	for _, tt := range tests {
		if got := addrString(tt.in); got != tt.want {
			t.Errorf("addrString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
