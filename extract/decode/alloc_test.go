package decode_test

import (
	"testing"

	"flowsift/extract/decode"
)

// allocCases names the decodeCases the allocation test and the benchmark
// use: the common shapes plus the options and extension headers gopacket
// would allocate for.
var allocCases = []string{
	"eth/ipv4/tcp-syn-options",
	"eth/ipv4/tcp-data",
	"eth/vlan/udp",
	"eth/qinq/tcp",
	"eth/ipv4-options/udp",
	"eth/ipv6/tcp",
	"eth/ipv6/ext-headers/tcp",
	"eth/ipv6/hop-by-hop/icmpv6-mld",
	"eth/ipv6/fragment-later",
	"eth/ipv4/fragment-middle",
	"vxlan/ipv4/tcp",
	"geneve/options/ipv6-tcp",
	"gtpu/extension-header/ipv6-icmpv6",
	"gre/erspan-type2",
	"6in4/tcp",
	"teredo/udp",
	"sll2/ipv6/udp",
	"eth/ipv4/tcp-mptcp",
}

func pickCases(tb testing.TB, names []string) []decodeCase {
	tb.Helper()
	byName := map[string]decodeCase{}
	for _, c := range decodeCases(tb) {
		byName[c.name] = c
	}
	var out []decodeCase
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			tb.Fatalf("no decode case %q", n)
		}
		out = append(out, c)
	}
	return out
}

// TestDecodeAllocs checks that decoding a packet does not allocate.
func TestDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	var d decode.Decoder
	var p decode.Packet
	for _, c := range pickCases(t, allocCases) {
		t.Run(c.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, func() { d.Decode(c.link, c.data, &p) }); got != 0 {
				t.Errorf("Decode allocates %v times per packet, want 0", got)
			}
		})
	}
	// Every other case, malformed frames included, through the same
	// decoder: the length checks in front of gopacket keep its error
	// values off the common failure paths.
	for _, c := range decodeCases(t) {
		if got := testing.AllocsPerRun(5, func() { d.Decode(c.link, c.data, &p) }); got != 0 && !mayAllocate[c.name] {
			t.Errorf("%s: Decode allocates %v times per packet, want 0", c.name, got)
		}
	}
}

// mayAllocate lists the cases where gopacket builds an error value:
// malformed IPv4 options.
var mayAllocate = map[string]bool{
	"bad-ip/ipv4-option-length-0": true,
}
