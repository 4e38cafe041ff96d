#!/bin/sh
# Regenerates the reference values that the corpus tests compare flowsift
# against. Tests never run this (TShark is not installed in CI); the output
# is committed and reviewed as a diff.
#
#   testdata/corpus/refgen.sh [CORPUS_DIR [SECTION...]]
#
# CORPUS_DIR defaults to ../shared/corpus; SECTION is packets or conv
# (default: both).
#
# Tools: capinfos and TShark 4.0.17 (Debian 12 package tshark), tcpdump 4.99.
set -eu
corpus=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus}
[ $# -gt 0 ] && shift
sections=${*:-packets conv}
out=$(cd "$(dirname "$0")" && pwd)

packets() {

# packets.tsv: the packet count of every capture. capinfos is the reference;
# for the few link types it cannot read, tcpdump --count (which prints one
# number and decodes nothing).
{
	printf 'file\tpackets\ttool\n'
	for f in "$corpus"/*/*.pcap "$corpus"/*/*.pcapng; do
		rel=${f#"$corpus"/}
		if n=$(capinfos -T -M -r -c "$f" 2>/dev/null | cut -f2) && [ -n "$n" ]; then
			printf '%s\t%s\tcapinfos\n' "$rel" "$n"
		else
			n=$(tcpdump -r "$f" --count 2>/dev/null | grep -o '^[0-9]*')
			printf '%s\t%s\ttcpdump\n' "$rel" "$n"
		fi
	done | sort
} > "$out/packets.tsv"
}

conv() {

# conv.tsv: per capture and TCP/UDP five-tuple, the frames and frame bytes
# in each direction as TShark dissects them, summed over the whole capture
# (TShark has no flow timeouts). A frame counts for every TCP or UDP header
# that directly follows an IP header in it: a tunnelled packet counts for
# its outer UDP flow and its inner flow, as in flowsift. An ICMP error
# quotes the header of the packet it answers; the ports in the quote are
# not a conversation of this frame, so nothing after an ICMP layer counts.
# Endpoints are ordered so that A < B as strings; a_* counts what A sent.
{
	printf 'file\tproto\ta\tb\ta_frames\ta_bytes\tb_frames\tb_bytes\n'
	for f in "$corpus"/ndpi/*.pcap "$corpus"/ndpi/*.pcapng "$corpus"/stopddos/*.pcap; do
		rel=${f#"$corpus"/}
		tshark -r "$f" -Y 'tcp || udp' -T fields -E separator=/t -E occurrence=a -E aggregator='|' \
			-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport \
			-e udp.srcport -e udp.dstport -e frame.len -e frame.protocols 2>/dev/null |
			awk -F'\t' -v file="$rel" 'BEGIN { OFS = "\t" }
			function add(tr, src, dst, sp, dp, len,   s, d, k) {
				s = src ":" sp; d = dst ":" dp
				if (s < d) { k = tr OFS s OFS d; fr[k] += 1; by[k] += len }
				else { k = tr OFS d OFS s; rf[k] += 1; rb[k] += len }
				keys[k] = 1
			}
			{
				split($1, s4, "|"); split($2, s6, "|"); split($3, d4, "|"); split($4, d6, "|")
				split($5, ts, "|"); split($6, td, "|"); split($7, us, "|"); split($8, ud, "|")
				n = split($10, layers, ":"); n4 = 0; n6 = 0; nt = 0; nu = 0; prev = ""
				for (i = 1; i <= n; i++) {
					l = layers[i]
					if (l == "icmp" || l == "icmpv6") break
					if (l == "ip") n4++
					if (l == "ipv6") n6++
					if (l == "tcp") nt++
					if (l == "udp") nu++
					if ((l == "tcp" || l == "udp") && (prev == "ip" || prev == "ipv6")) {
						src = (prev == "ip") ? s4[n4] : "[" s6[n6] "]"
						dst = (prev == "ip") ? d4[n4] : "[" d6[n6] "]"
						if (l == "tcp") add(l, src, dst, ts[nt], td[nt], $9)
						else add(l, src, dst, us[nu], ud[nu], $9)
					}
					prev = l
				}
			}
			END { for (k in keys) print file, k, fr[k] + 0, by[k] + 0, rf[k] + 0, rb[k] + 0 }'
	done | sort
} | gzip -9n > "$out/conv.tsv.gz"
}

for s in $sections; do
	"$s"
done
