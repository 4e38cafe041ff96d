package decode_test

import (
	"testing"

	"flowsift/extract/decode"
)

// benchCases is the packet mix BenchmarkDecode decodes: mostly plain TCP
// and UDP, with VLAN tags, IPv6 extension headers and tunnels.
var benchCases = []string{
	"eth/ipv4/tcp-data",
	"eth/ipv4/tcp-syn-options",
	"eth/ipv4/udp",
	"eth/vlan/udp",
	"eth/ipv6/tcp",
	"eth/ipv6/ext-headers/tcp",
	"vxlan/ipv4/tcp",
	"gre/ipv4/icmp",
}

// BenchmarkDecode measures Decode per packet, for each packet of the mix
// and for the mix in turn. The whole read and decode path is measured by
// extract's BenchmarkReadDecode.
func BenchmarkDecode(b *testing.B) {
	cases := pickCases(b, benchCases)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchDecode(b, []decodeCase{c}) })
	}
	b.Run("mix", func(b *testing.B) { benchDecode(b, cases) })
}

func benchDecode(b *testing.B, cases []decodeCase) {
	var size int64
	for _, c := range cases {
		size += int64(len(c.data))
	}
	var d decode.Decoder
	var p decode.Packet
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i := range cases {
			if d.Decode(cases[i].link, cases[i].data, &p) != decode.OK {
				b.Fatalf("%s did not decode", cases[i].name)
			}
		}
	}
	pkts := float64(b.N) * float64(len(cases))
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pkts, "ns/pkt")
	b.ReportMetric(pkts/b.Elapsed().Seconds(), "pkts/s")
}
