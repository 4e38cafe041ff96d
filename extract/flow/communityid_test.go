package flow

import (
	"net/netip"
	"testing"

	"flowsift/extract/decode"
)

// communityIDBaseline is the corelight/community-id-spec baseline
// (baseline/baseline_deflt.json, baseline_seed1.json, baseline_nob64.json),
// rebuilt as a table: every value the reference implementation produced
// for the spec's test captures. ICMP ports hold the mapped values (type,
// then counterpart or code), as in the spec's files.
var communityIDBaseline = []struct {
	seed         uint16
	b64          bool
	proto        uint8
	src, dst     string
	sport, dport uint16
	want         string
}{
	{0, true, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{0, true, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{0, true, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{0, true, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
	{0, true, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
	{0, true, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
	{0, true, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{0, true, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
	{0, true, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
	{0, true, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
	{0, true, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{0, true, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{0, true, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
	{0, true, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{0, true, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{0, true, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{0, true, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
	{0, true, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{0, true, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{0, true, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{0, true, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{0, true, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	{0, true, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
	{1, true, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{1, true, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{1, true, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{1, true, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{1, true, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
	{1, true, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
	{1, true, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{1, true, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{1, true, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
	{1, true, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
	{1, true, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, true, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, true, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
	{1, true, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{1, true, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{1, true, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{1, true, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{1, true, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{1, true, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{1, true, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{1, true, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{1, true, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
	{1, true, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
	{0, false, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:7461f21af8cc7e58e0e81a69c26ddb8342cef136"},
	{0, false, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:7461f21af8cc7e58e0e81a69c26ddb8342cef136"},
	{0, false, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:cdabf24ff71ecd0af57e6226602c189cc5db81c9"},
	{0, false, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:cdabf24ff71ecd0af57e6226602c189cc5db81c9"},
	{0, false, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:d8e6d5060227dbca19be26d866164c06087b59d4"},
	{0, false, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:84b65dd17196a23a33aefc6a13475607588ce91d"},
	{0, false, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:f935be1ed2c7bd5d719c6855d65bfb5e826ba908"},
	{0, false, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:f935be1ed2c7bd5d719c6855d65bfb5e826ba908"},
	{0, false, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:84efac3781fe306e4c63ff2122b5cfa9ce19433d"},
	{0, false, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:a64bc7a822fcf3fb60d64e1c3e282665752d2f4d"},
	{0, false, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:5f4b27617a60c22bfd4d9b6a83ae2c833527e839"},
	{0, false, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:5f4b27617a60c22bfd4d9b6a83ae2c833527e839"},
	{0, false, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:607c6d022ac21bfff43b391c540ba4a8a40df713"},
	{0, false, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:fea15a78047e8057b52988cccd50ec32ffb0814e"},
	{0, false, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:fea15a78047e8057b52988cccd50ec32ffb0814e"},
	{0, false, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:30fd84b5108050866f4f0e8cc491cb57b37b243b"},
	{0, false, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:30fd84b5108050866f4f0e8cc491cb57b37b243b"},
	{0, false, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:2d053da9994af81e45dca0e67afea6e4f3226eb8"},
	{0, false, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:2d053da9994af81e45dca0e67afea6e4f3226eb8"},
	{0, false, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:77f14fe445b7c22635bc29dd87095e451287a304"},
	{0, false, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:77f14fe445b7c22635bc29dd87095e451287a304"},
	{0, false, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:28794b920a095bb89f513c934a0c957e4147ccac"},
	{0, false, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:28794b920a095bb89f513c934a0c957e4147ccac"},
}

func TestCommunityIDBaseline(t *testing.T) {
	if len(communityIDBaseline) != 69 {
		t.Fatalf("baseline has %d vectors, want 69", len(communityIDBaseline))
	}
	for _, c := range communityIDBaseline {
		src, dst := netip.MustParseAddr(c.src), netip.MustParseAddr(c.dst)
		var s, d decode.Addr
		version := uint8(6)
		if src.Is4() {
			version = 4
			a, b := src.As4(), dst.As4()
			copy(s[:], a[:])
			copy(d[:], b[:])
		} else {
			s, d = src.As16(), dst.As16()
		}
		oneWay := false
		switch c.proto {
		case decode.ProtoICMP:
			_, oneWay = icmp4Counterpart(uint8(c.sport), uint8(c.dport))
		case decode.ProtoICMPv6:
			_, oneWay = icmp6Counterpart(uint8(c.sport), uint8(c.dport))
		}
		got := CommunityID(c.seed, version, c.proto, &s, &d, c.sport, c.dport, oneWay, c.b64)
		if got != c.want {
			t.Errorf("CommunityID(seed %d, proto %d, %s:%d -> %s:%d) = %s, want %s", c.seed, c.proto, c.src, c.sport, c.dst, c.dport, got, c.want)
		}
	}
}
