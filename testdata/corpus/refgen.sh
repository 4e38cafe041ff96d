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
# (TShark has no flow timeouts). The innermost header of a tunnelled packet
# counts (-E occurrence=l), as for flowsift's inner flows; ICMP errors,
# which quote another packet's header, do not count. Endpoints are
# ordered so that A < B as strings; a_* counts what A sent.
{
	printf 'file\tproto\ta\tb\ta_frames\ta_bytes\tb_frames\tb_bytes\n'
	for f in "$corpus"/ndpi/*.pcap "$corpus"/ndpi/*.pcapng "$corpus"/stopddos/*.pcap; do
		rel=${f#"$corpus"/}
		tshark -r "$f" -Y 'tcp || udp' -T fields -E separator=/t -E occurrence=l \
			-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport \
			-e udp.srcport -e udp.dstport -e frame.len -e frame.protocols 2>/dev/null |
			awk -F'\t' -v file="$rel" 'BEGIN { OFS = "\t" }
			{
				n = split($10, layers, ":"); fam = ""; tr = ""; at = 0; icmp = 0
				for (i = 1; i <= n; i++) {
					if (layers[i] == "ip" || layers[i] == "ipv6") fam = layers[i]
					if (layers[i] == "tcp" || layers[i] == "udp") { tr = layers[i]; at = i }
					if ((layers[i] == "icmp" || layers[i] == "icmpv6") && !icmp) icmp = i
				}
				# An ICMP error quotes the header of the packet it answers:
				# the ports of that packet are not a conversation of this
				# frame. (ICMP after the transport, as in an sFlow sample,
				# quotes nothing of this frame.)
				if (tr == "" || icmp && icmp < at) next
				src = (fam == "ip") ? $1 : "[" $2 "]"
				dst = (fam == "ip") ? $3 : "[" $4 "]"
				sp = (tr == "tcp") ? $5 : $7; dp = (tr == "tcp") ? $6 : $8
				s = src ":" sp; d = dst ":" dp
				if (s < d) { k = tr OFS s OFS d; fr[k] += 1; by[k] += $9 }
				else { k = tr OFS d OFS s; rf[k] += 1; rb[k] += $9 }
				keys[k] = 1
			}
			END { for (k in keys) print file, k, fr[k] + 0, by[k] + 0, rf[k] + 0, rb[k] + 0 }'
	done | sort
} | gzip -9n > "$out/conv.tsv.gz"
}

for s in $sections; do
	"$s"
done
