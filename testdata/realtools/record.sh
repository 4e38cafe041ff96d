#!/usr/bin/env bash
# Records the captures in this directory: real attack tools (nmap,
# ApacheBench, hping3, iodine) and an ordinary client (curl) run between two network
# namespaces joined by a veth pair, captured with tcpdump on the victim's
# side. Nothing leaves the machine. Needs root and Debian's nmap,
# apache2-utils, hping3, iodine, tcpdump, curl and python3.
#
#   attacker 192.168.77.66 (netns fs-atk)  <-veth->  victim 192.168.77.10 (netns fs-vic)
#
# The victim also routes 10.200.0.0/24 into a blackhole, so horizontal scans
# of that range cross the wire without answers, as scans of unused
# addresses do. Floods are bounded in packet count.
#
#   ./record.sh            record every capture
#   ./record.sh NAME...    record only these (nmap-syn, iodine-tunnel ...)
set -euo pipefail
ONLY=" $* "
cd "$(dirname "$0")"

ATK=192.168.77.66 VIC=192.168.77.10
cleanup() {
	ip netns pids fs-vic 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns pids fs-atk 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del fs-atk 2>/dev/null || true
	ip netns del fs-vic 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add fs-atk
ip netns add fs-vic
ip link add fs-a type veth peer name fs-v
ip link set fs-a netns fs-atk
ip link set fs-v netns fs-vic
ip -n fs-atk addr add $ATK/24 dev fs-a
ip -n fs-vic addr add $VIC/24 dev fs-v
for ns in fs-atk fs-vic; do
	ip -n $ns link set lo up
done
ip -n fs-atk link set fs-a up
ip -n fs-vic link set fs-v up
ip -n fs-atk route add 10.200.0.0/24 via $VIC
ip -n fs-vic route add blackhole 10.200.0.0/24
atk() { ip netns exec fs-atk "$@"; }
vic() { ip netns exec fs-vic "$@"; }

# Victim services: a web server on 80, listeners on 22 and 443.
mkdir -p /tmp/fs-www && seq 1 5000 > /tmp/fs-www/blob.bin && echo '<h1>intranet</h1>' > /tmp/fs-www/index.html
vic python3 -m http.server 80 --bind $VIC --directory /tmp/fs-www >/dev/null 2>&1 &
vic python3 -c '
import socket, threading
def serve(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("'$VIC'", p)); s.listen(512)
    while True:
        c, _ = s.accept(); c.close()
for p in (22, 443): threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait()' &
sleep 1

# record NAME CMD...: capture on the victim's side while CMD runs.
record() {
	local name=$1
	shift
	if [ "$ONLY" != "  " ] && [[ "$ONLY" != *" $name "* ]]; then
		return
	fi
	vic tcpdump -i fs-v -s 0 -U -w "/tmp/fs-$name.pcap" 2>/dev/null &
	local td=$!
	sleep 1
	"$@" >/dev/null 2>&1 || true
	sleep 2
	kill $td
	wait $td 2>/dev/null || true
	gzip -9 -n -c "/tmp/fs-$name.pcap" > "$name.pcap.gz"
	rm -f "/tmp/fs-$name.pcap"
	echo "$name.pcap.gz: $(stat -c %s "$name.pcap.gz") bytes"
}

benign() {
	for i in $(seq 1 20); do
		atk curl -s -o /dev/null "http://$VIC/index.html"
		atk curl -s -o /dev/null "http://$VIC/blob.bin"
		sleep 0.2
	done
}
record benign-web benign
record nmap-syn atk nmap -n -Pn -sS -T4 -p 1-1000 $VIC
record nmap-connect atk nmap -n -Pn -sT -T4 -p 1-1000 $VIC
record nmap-xmas atk nmap -n -Pn -sX -T4 -p 1-300 $VIC
record nmap-version atk nmap -n -Pn -sV -T4 -p 22,80,443 $VIC
record nmap-udp atk nmap -n -Pn -sU -T5 --max-retries 1 --top-ports 100 $VIC
record nmap-pingsweep atk nmap -n -sn -PE --max-retries 0 10.200.0.0/24
record nmap-sweep atk nmap -n -Pn -sS -T4 --max-retries 0 -p 22,445,3389 10.200.0.0/24
record ab-httpflood atk ab -n 1500 -c 20 http://$VIC/index.html
record hping3-synflood-spoofed atk hping3 -q -S -p 80 --rand-source -c 5000 -i u200 $VIC
record hping3-icmpflood atk hping3 -q --icmp -c 5000 -i u200 $VIC
record hping3-udpflood atk hping3 -q --udp -p 9999 -d 256 -c 25000 -i u40 $VIC

# iodine: a DNS tunnel to t.example.test served by iodined on the victim;
# the client pushes 300 KB through it (raw UDP mode disabled with -r, so
# every byte goes as DNS queries and answers).
tunnel() {
	vic iodined -f -c -P flowsift 172.30.0.1 t.example.test >/dev/null 2>&1 &
	local srv=$!
	sleep 1
	atk iodine -f -r -P flowsift $VIC t.example.test >/dev/null 2>&1 &
	local cli=$!
	sleep 6
	vic sh -c 'timeout 20 python3 -c "
import socket
s = socket.socket(); s.bind((\"172.30.0.1\", 5000)); s.listen(1)
c, _ = s.accept()
while c.recv(65536): pass"' &
	sleep 1
	atk sh -c 'head -c 300000 /dev/urandom | timeout 15 python3 -c "
import socket, sys
s = socket.create_connection((\"172.30.0.1\", 5000)); s.sendall(sys.stdin.buffer.read()); s.close()"' || true
	sleep 1
	kill $cli $srv 2>/dev/null || true
	wait $cli $srv 2>/dev/null || true
}
record iodine-tunnel tunnel
