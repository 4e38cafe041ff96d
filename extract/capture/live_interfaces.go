package capture

import (
	"fmt"
	"net"
	"net/netip"
)

// Interface describes a network interface that live capture can use.
type Interface struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
	MTU   int    `json:"mtu"`
	// Flags are the interface flags set, from "up", "broadcast",
	// "loopback", "pointtopoint", "multicast" and "running".
	Flags []string `json:"flags"`
	// Addresses are the interface's addresses with prefix length
	// ("192.0.2.1/24", "fe80::1/64").
	Addresses []string `json:"addresses"`
	// HardwareAddr is the link-layer address, empty when there is none.
	HardwareAddr string `json:"hardware_addr"`
}

var interfaceFlags = []struct {
	flag net.Flags
	name string
}{
	{net.FlagUp, "up"},
	{net.FlagBroadcast, "broadcast"},
	{net.FlagLoopback, "loopback"},
	{net.FlagPointToPoint, "pointtopoint"},
	{net.FlagMulticast, "multicast"},
	{net.FlagRunning, "running"},
}

// Interfaces lists the host's network interfaces in index order.
func Interfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make([]Interface, 0, len(ifs))
	for _, ifi := range ifs {
		it := Interface{
			Name:         ifi.Name,
			Index:        ifi.Index,
			MTU:          ifi.MTU,
			Flags:        []string{},
			Addresses:    []string{},
			HardwareAddr: ifi.HardwareAddr.String(),
		}
		for _, f := range interfaceFlags {
			if ifi.Flags&f.flag != 0 {
				it.Flags = append(it.Flags, f.name)
			}
		}
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("list addresses of %s: %w", ifi.Name, err)
		}
		for _, a := range addrs {
			it.Addresses = append(it.Addresses, addrString(a))
		}
		out = append(out, it)
	}
	return out, nil
}

// addrString prints an interface address as a prefix, with IPv4 addresses
// in dotted form even when the system reports them in 16 bytes.
func addrString(a net.Addr) string {
	ipn, ok := a.(*net.IPNet)
	if !ok {
		return a.String()
	}
	ip, ok := netip.AddrFromSlice(ipn.IP)
	if !ok {
		return a.String()
	}
	ones, bits := ipn.Mask.Size()
	ip = ip.Unmap()
	if ip.Is4() && bits == 128 {
		ones -= 96
	}
	return netip.PrefixFrom(ip, ones).String()
}
