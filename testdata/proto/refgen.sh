#!/bin/sh
# Regenerates the reference files the protocol parsers' corpus tests compare
# against. The tests never run this: tshark and the nDPI sources are not
# available in CI, so the output is committed.
#
#   testdata/proto/refgen.sh CORPUS_DIR NDPI_GIT_DIR [SECTION...]
#
# SECTION is any of ja3 ja4 dns http (default: all).
# CORPUS_DIR   the shared corpus folder (../shared/corpus from the module root)
# NDPI_GIT_DIR a clone (or bare git directory) of ntop/nDPI at the commit the
#              corpus was copied from (3b1286ab03b0, see the corpus README)
#
# Tools used: TShark (Wireshark) 4.0.17 as packaged by Debian 12, git, awk.
set -eu

corpus=${1:?corpus folder}
ndpi=${2:?nDPI git directory}
shift 2
sections=${*:-ja3 ja4 dns http}
out=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/tls" "$out/dns" "$out/http"

# 1. JA3 of every ClientHello carried over TCP, as TShark computes it. The
#    last occurrence of each address field is the innermost header of a
#    tunnelled packet (GTP, VXLAN, 6in4, ...), which is what flowsift's
#    decoder reports; frame.protocols says whether that header is v4 or v6.
ja3() {
	printf 'file\tframe\tstream\tclient\tserver\tja3\tja3_full\tsni\n'
	for f in "$corpus"/ndpi/*.pcap "$corpus"/ndpi/*.pcapng; do
		tshark -r "$f" -Y 'tls.handshake.type == 1 && tcp' -T fields -E separator=/t -E occurrence=l \
			-e frame.number -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport \
			-e ip.dst -e ipv6.dst -e tcp.dstport \
			-e tls.handshake.ja3 -e tls.handshake.ja3_full -e tls.handshake.extensions_server_name \
			-e frame.protocols 2>/dev/null |
			awk -F'\t' -v file="$(basename "$f")" 'BEGIN { OFS = "\t" } {
				n = split($12, layers, ":"); fam = ""
				for (i = 1; i <= n; i++) if (layers[i] == "ip" || layers[i] == "ipv6") fam = layers[i]
				src = (fam == "ip") ? $3 ":" $5 : "[" $4 "]:" $5
				dst = (fam == "ip") ? $6 ":" $8 : "[" $7 "]:" $8
				print file, $1, $2, src, dst, $9, $10, $11
			}'
	done
}

# 2. JA4 values nDPI's own test results list for the same captures.
ja4() {
	printf 'file\tproto\tendpoint_a\tendpoint_b\tsni\tja4\n'
	git --git-dir="$ndpi" ls-tree --name-only HEAD tests/cfgs/default/result/ | grep '\.out$' |
	while read -r path; do
		file=$(basename "$path" .out)
		git --git-dir="$ndpi" show "HEAD:$path" | awk -v file="$file" 'BEGIN { OFS = "\t" }
			/\[JA4: / {
				proto = $2; a = $3; b = $5
				sni = "-"
				if (match($0, /\[Hostname\/SNI: [^]]*\]/)) sni = substr($0, RSTART + 15, RLENGTH - 16)
				match($0, /\[JA4: [^]]*\]/); ja4 = substr($0, RSTART + 6, RLENGTH - 7)
				print file, proto, a, b, sni, ja4
			}'
	done
}

# 3. DNS fields of every UDP DNS message of the DNS captures, as TShark
#    decodes them, for the DNS parser's cross-check.
dns() {
	printf 'file\tframe\tid\tresponse\tquery\tqtype\trcode\tancount\ttypes\tttls\ta\taaaa\tcname\n'
	for f in "$corpus"/ndpi/dns*.pcap* "$corpus"/ndpi/*dns*.pcap*; do
		tshark -r "$f" -Y 'dns && udp && !icmp' -T fields -E separator=/t -E occurrence=a -E aggregator=, \
			-e frame.number -e dns.id -e dns.flags.response -e dns.qry.name -e dns.qry.type -e dns.flags.rcode \
			-e dns.count.answers -e dns.resp.type -e dns.resp.ttl -e dns.a -e dns.aaaa -e dns.cname 2>/dev/null |
			awk -F'\t' -v file="$(basename "$f")" 'BEGIN { OFS = "\t" } { print file, $0 }'
	done | sort -u -t "$(printf '\t')" -k1,1 -k2,2n
}

# 4. HTTP requests and responses TShark finds, in capture order, for the
#    HTTP parser's cross-check (same innermost-address rule as section 1).
http() {
	printf 'file\tframe\tsrc\tdst\tmethod\turi\thost\tuser_agent\tcode\n'
	for f in "$corpus"/ndpi/*.pcap "$corpus"/ndpi/*.pcapng; do
		tshark -r "$f" -Y 'http && tcp && (http.request || http.response)' -T fields -E separator=/t -E occurrence=l \
			-e frame.number -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
			-e http.request.method -e http.request.uri -e http.host -e http.user_agent -e http.response.code \
			-e frame.protocols 2>/dev/null |
			awk -F'\t' -v file="$(basename "$f")" 'BEGIN { OFS = "\t" } {
				n = split($13, layers, ":"); fam = ""
				for (i = 1; i <= n; i++) if (layers[i] == "ip" || layers[i] == "ipv6") fam = layers[i]
				src = (fam == "ip") ? $2 ":" $4 : "[" $3 "]:" $4
				dst = (fam == "ip") ? $5 ":" $7 : "[" $6 "]:" $7
				print file, $1, src, dst, $8, $9, $10, $11, $12
			}'
	done
}

for s in $sections; do
	case $s in
	ja3) ja3 > "$out/tls/ja3_tshark.tsv" ;;
	ja4) ja4 > "$out/tls/ja4_ndpi.tsv" ;;
	dns) dns > "$out/dns/tshark.tsv" ;;
	http) http > "$out/http/tshark.tsv" ;;
	*) echo "unknown section $s" >&2; exit 2 ;;
	esac
done
