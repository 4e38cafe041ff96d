// Package decode turns captured frames into the header fields the flow
// table needs, in place and without allocating.
//
// # Input
//
// A frame's bytes and its link type: Ethernet (802.1Q and QinQ tags, MPLS,
// PPPoE), Linux cooked captures v1 and v2, raw IPv4/IPv6 and BSD loopback.
// Headers are parsed with gopacket's layer types through DecodeFromBytes on
// reused layer values, except where gopacket would allocate (the IPv6 fixed
// and hop-by-hop headers, TCP, Geneve and GTP-U), which are parsed by hand.
//
// # Output
//
// A [Packet]: link addresses and VLAN tags, the IP header (IPv4 or IPv6
// after extension headers), the transport header (TCP, UDP, ICMPv4, ICMPv6)
// and the transport payload. UDP tunnels (VXLAN, Geneve, GTP-U, GRE in
// UDP), GRE and IP-in-IP are followed to the innermost IP packet; the outer
// layers are kept in [Packet.Outer] so that the flow table can account for
// the tunnel too.
//
// # Invariants
//
// Decode never panics and never allocates on success. A frame it cannot
// decode fully yields a [Result] naming how far it got and why it stopped, so
// that the caller can count problems by kind instead of failing.
package decode
