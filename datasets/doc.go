// Package datasets generates synthetic, labelled network captures: an
// office LAN's ordinary traffic and seventeen attack scenarios, written as
// pcap with an exact ground truth. Tests of every later stage and the demo
// are built on it, so it aims at realism where flow meters and detectors
// look, and at exactness in what it claims.
//
// # Input
//
// A [Config]: scenario names from [Scenarios] ("benign" is the office
// background; attack scenarios are named after their event type and can be
// laid over the background with Config.Benign), a seed, the capture window
// and intensity knobs. [Generate] streams the capture to an io.Writer;
// [WriteCapture] writes a file (gzip for a ".gz" name) and its truth beside
// it; [WriteDemo] writes the README demo; [TrainingSet] writes a corpus of
// labelled captures with a capture-level train/test split.
//
// # Output
//
// Classic little-endian pcap, nanosecond timestamps, Ethernet link type,
// snap length 262144, nothing truncated. Frames are Ethernet II with IPv4
// (some flows IPv6) and TCP, UDP, ICMP or ICMPv6, every checksum valid;
// frames shorter than 60 bytes carry the zero padding a SPAN port records,
// so frame length and IP length differ for small packets.
//
// The LAN is a seeded RFC 1918 /24 (and a 2001:db8::/64), with a router, an
// intranet web server (.10, the victim of floods and reflections), a file
// server (.11), a build server (.12), a mail gateway (.15), a log
// collector (.16), in most offices a Windows domain controller (.5), a
// network printer (.200 to .239) and Windows, Linux and macOS workstations
// from .21 up. Remote parties live in the
// documentation blocks 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24
// (every attacking host, bot, scanner and C2 server is there), in
// 2001:db8::/32, and in a few real provider blocks (public resolvers
// 1.1.1.1, 8.8.8.8, 9.9.9.9, 208.67.222.222; Google, GitHub, Fastly,
// Cloudflare, CloudFront, AWS, Azure, Akamai, Apple and Canonical ranges)
// so enrichment has something to look up. Forged sources of spoofed floods and reflectors are drawn from
// the whole public unicast space.
//
// The [Truth] lists the events (benign background and each attack with its
// attackers, victims and first and last packet) and one [FlowTruth] per
// connection. It is derived from the packets as they are written, by a
// model of Zeek written for this package (not shared with the flow meter
// it is meant to check). See "Truth semantics" below.
//
// # Invariants
//
//   - The same Config gives the same bytes: math/rand/v2 PCG streams seeded
//     from Config.Seed, no map iteration order, no wall clock. Certificates
//     are real DER X.509 signed with RSA PKCS #1 v1.5 by keys made from a
//     seeded prime search, so they are deterministic too.
//   - Timestamps never decrease. Memory holds the connections open at one
//     time (plus Truth.Flows unless OmitFlows), never the capture.
//   - No retransmissions, reordering, losses, content gaps, zero windows,
//     bad checksums or IP fragments: Zeek's t, g, w and c history letters
//     never occur, and TCP payload sums equal sequence-number byte counts.
//   - A flow key is never reused within 15 minutes of the end of the flow
//     that used it, so in captures of up to 15 minutes keys are unique: a
//     host reuses a source port only 15 minutes after the flow that used
//     it ended, floods walk port and address sequences that cannot repeat,
//     a host pings the same address at most once per 15 minutes, and flows
//     whose key is fixed (mDNS from 5353, NetBIOS from 137 and 138, DHCP,
//     SSDP NOTIFY, neighbour discovery, router advertisements, ICMP
//     errors) wait as long. ICMP echo flows are keyed, as Zeek keys them,
//     by (requester, responder, 8, 0) regardless of the echo identifier.
//     TCP flows never fall silent for two minutes (the flow meter's
//     default inactivity timeout; Zeek's is five), UDP and ICMP flows never
//     for one minute, and DNS flows (53, 5353, 5355, 137) never for ten
//     seconds (Zeek's dns_session_timeout), so each connection is one
//     record (a meter's active timeout aside: sessions that last the whole
//     capture are cut into segments by one shorter than the capture). A TCP connection attempt that nobody answers retransmits its
//     SYN at most twice (1 s and 3 s), inside Zeek's five-second
//     tcp_attempt_delay.
//   - Packets before Config.Start are never written: connections that
//     were already open (long-lived sessions, the tails of page loads,
//     downloads) first appear mid-stream, without a handshake (OTH, or SF
//     without S when they close). Packets after Config.Start+Duration (or
//     past MaxPackets) are never written either: connections still open
//     then are recorded as they stand, as a real capture that stopped
//     would show them (S1, S2, OTH ...).
//
// # Timing model
//
// The capture point is the LAN side of the router. A packet from the host
// near the capture point is stamped when sent; one from the far host when
// it arrives, so a far host answers one round trip after the near host's
// packet was captured. Round trips are per remote host (4 ms to 200 ms,
// a few percent of jitter); LAN round trips are under a millisecond. TCP
// segments are cut at the negotiated MSS (minus 12 bytes with timestamps),
// sent in slow-start flights (initial window 10, doubling to twice the
// bandwidth-delay product) spaced by the sender's link rate, and
// acknowledged every second segment or when the delayed-ACK timer (40 ms
// Linux, 50 ms Windows, 100 ms macOS) fires, unless the receiver has data
// to send first. SYN options follow each stack (Linux: MSS, SACK-permitted,
// timestamps, window scale 7; Windows: MSS, window scale 8, SACK-permitted,
// no timestamps; macOS: window scale 6 with timestamps; nmap: MSS only;
// hping3: none), TTLs are 64, 128 or 255 less the hop count, and Windows
// hosts share one IP ID counter while others count per flow.
//
// Encrypted and compressed payload bytes are slices of a fixed 4 KiB
// random table at seeded offsets: each packet looks uniformly random, but
// captures gzip well. Protocol structure is real: TLS 1.3 and 1.2 records
// with Chrome (GREASE, shuffled extensions, X25519MLKEM768 key share, so
// the ClientHello spans two segments), Firefox, Safari, curl and Windows
// Schannel ClientHellos, ServerHellos, and for TLS 1.2 a Certificate chain;
// HTTP/1.1 with real headers, keep-alive, chunked bodies, 204, 301, 304 and
// 404; DNS with name compression, CNAME chains, EDNS0, MX, TXT, SOA on
// NXDOMAIN and NODATA; SSH banners and key exchange; NTPv4; OCSP in DER.
//
// # Untidy traffic
//
// A real network is not a set of complete, answered, well-formed
// exchanges, and a model trained on one that is learns that anything
// imperfect is an attack. The background therefore includes, at rates
// modelled on office captures (in a ten-minute capture of eight
// workstations, roughly: a tenth to a fifth of flows UDP without an
// answer, a few percent TCP attempts that fail, a few percent flows seen
// mid-stream):
//
//   - LAN chatter nobody answers (Zeek's S0, history "D"): mDNS queries
//     and announcements (224.0.0.251 and ff02::fb), LLMNR and NetBIOS
//     lookups of single-label names, NetBIOS browser announcements, SSDP
//     M-SEARCH and NOTIFY, WS-Discovery probes, DHCP INFORM; unicast SSDP
//     and WS-Discovery answers from the router and the printer; DHCP
//     renewals (answered); syslog streams from the router, servers and
//     printer to the collector; IPv6 router advertisements and neighbour
//     solicitations (ICMPv6 134/133 and 135/136).
//   - Failures: TCP to destinations that resolve but never answer (SYN
//     and one or two retransmissions, S0); TCP to closed ports on LAN
//     hosts (REJ); Happy Eyeballs losing IPv6 SYNs when some IPv6 paths
//     black-hole (S0); QUIC Initials dropped by a firewall that blocks UDP
//     443 (one to three, S0) before the browser falls back to TCP; DNS
//     queries never answered (about 1.5% of lookups); NTP servers that do
//     not answer; pings to servers that drop echo requests; NetBIOS node
//     status requests answered by ICMP port unreachable.
//   - Long-lived and already-running connections: push and chat sessions
//     (WNS, Apple push on 5223, Slack, Office, XMPP on 5222) with
//     keepalives every 25 to 95 s, SMB sessions to the file server, SSH
//     shells, the tails of page loads begun before the capture, large
//     downloads under way; most are open at both ends of the capture.
//     The tails close with FIN: a reset after a long idle spell would
//     often leave the capture a lone RST, and a background whose only
//     single-packet mid-stream TCP flows are benign teaches a model to
//     pass one-way backscatter (lone SYN-ACKs), which no scenario here
//     shows without the victim's answer.
//   - Windows domain services: Kerberos (88/tcp), LDAP (389/tcp) and
//     CLDAP pings (389/udp) to the domain controller.
//   - In some offices a BitTorrent client: DHT lookups to hundreds of
//     peers (about half answer), TCP to peers (most unanswered or
//     refused), uTP transfers; peers query and connect back.
//
// Which of these an office has (a domain, blocked QUIC, black-holed IPv6
// paths, a P2P client) is drawn from the seed and listed in the benign
// event's Details. Packet loss, retransmissions and reordering are not
// generated: attacks have none either, and adding them to the background
// alone would teach a model that loss means benign.
//
// # Truth semantics
//
// The truth follows Zeek 8/9 (TCPSessionAdapter.cc, TCP_Endpoint.cc,
// TCP.cc and UDP.cc WantConnection, conn/main.zeek conn_state), applied to
// the packets written:
//
//   - Orig and Resp are Zeek's: the first packet's sender, except that a
//     connection is flipped (Flipped, history starting "^") when its first
//     packet is not a bare SYN (TCP) or is UDP, comes from a port in Zeek's
//     default likely_server_ports and goes to one that is not; for TCP with
//     both ports listed it flips only for a non-SYN packet from the lower
//     port. The list used is the base analyzers' server ports (TCP 21 22 25
//     79 80 81 88 135 139 143 389 443 445 465 502 514 563 585 587 614 631
//     636 989 990 992 993 995 1080 1434 1883 2811 3128 3268 3306 3389 5222
//     5223 5269 5432 6379 6666-6669 8000 8080 8888 20000; UDP 53 67 88 123
//     137 161 162 389 443 514 784 853 1812 2123 2152 3389 3544 4011 4754
//     4789 5060 5072 5353 5355 6081 20000), and never toward
//     255.255.255.255. Flips come from DNS amplification (from 53/udp),
//     SYN-ACK reflection (from 80 or 443) and connections already open
//     when the capture started whose first captured packet comes from the
//     server's port; every other flow starts with a bare SYN, from an
//     ephemeral port, or between two server ports. When the first captured
//     packet comes from the side that did not open the connection and
//     Zeek does not flip, that side is Orig.
//   - history: upper case for Orig, lower case for Resp. A and D (pure ACK,
//     payload) and I, Q are recorded once per direction; S, H, F and R once
//     per direction and again only when the relative sequence number (for
//     F, sequence plus payload) differs from the last one of that letter.
//     A packet with exactly one of SYN, FIN, RST logs S or H (SYN with ACK),
//     F or R and nothing else, so a FIN carrying data logs F only; with two
//     or more of them it logs I (FIN+RST) or Q. UDP logs D/d once per
//     direction. ICMP has no history (empty string, "-" in Zeek's log).
//     A connection whose history is exactly "H" flips when the next packet
//     is a pure ACK or carries data, and its history becomes "^h".
//   - conn_state: Zeek's conn_state() over the endpoint states of
//     UpdateStateMachine (INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL,
//     ESTABLISHED, CLOSED, RESET). Resulting patterns include: "ShADadFf"
//     SF; "S" S0 (repeated SYNs with the same ISN add no letter); "Sh" S1
//     (SYN floods answered by SYN cookies); "Sr" REJ; "ShR" RSTO (SYN scan
//     of an open port); "ShAR" RSTO (connect scan); "^hR" RSTO (reflected
//     SYN-ACK reset by the victim); "^d" SHR (amplified DNS); "D" S0 and
//     "Dd" SF (UDP); OTH for ICMP. UDP: SF when both sides sent, S0 when
//     only Orig, SHR when only Resp.
//   - DurationNS is Zeek's duration: for TCP the last packet seen before
//     both endpoints had closed (by FIN or RST), so the final ACK of a
//     teardown is excluded although history shows it; for UDP and ICMP the
//     last packet. TS and TSEnd are the first and last packet, trailing
//     packets included.
//   - Packets and IP bytes count every packet in Zeek's orientation; L2
//     bytes are frame lengths with padding; OrigBytes and RespBytes are
//     transport payload (ICMP: bytes after the 8-byte header), equal to
//     Zeek's orig_bytes/resp_bytes because nothing is retransmitted.
//   - ICMP flows: OrigP is the type of the first packet, RespP the
//     counterpart type for request/reply pairs (8/0, 128/129) or the code
//     for one-way types: port unreachables from one victim to one sender
//     form a single flow with OrigP 3 and RespP 3.
//   - Label is the event type of the flow ("benign" or an Attack*
//     constant); Event indexes Truth.Events. Attackers are the addresses
//     that send the attack traffic in the capture (reflectors for
//     reflection attacks, Reflected set); spoofed floods list no attacker
//     and count distinct forged sources in SpoofedSources. Victims are the
//     addresses the attack traffic goes to (for a DNS tunnel, the resolver).
//     Each attack's flows, including its DNS lookups and the victim's
//     answers, carry its label; the background never shares a flow with an
//     attack.
package datasets
