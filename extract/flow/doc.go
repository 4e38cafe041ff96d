// Package flow turns decoded packets into bidirectional flows with Zeek's
// connection semantics and NFStream/CICFlowMeter statistics.
//
// # Input
//
// Decoded packets ([decode.Packet]) in capture order with their timestamps,
// capture file and frame number.
//
// # Output
//
// Finished [Flow] values handed to a callback with the reason they ended:
// TCP close (both FINs, or a RST) after a short grace period, an
// unanswered attempt, the idle or active timeout, eviction when the table
// is full, a new connection on the same five-tuple, or the end of input.
//
// # Zeek semantics
//
// Originator and responder, conn_state, history, orig_bytes/resp_bytes and
// missed_bytes follow Zeek's code (TCPSessionAdapter.cc, TCP_Endpoint.cc,
// UDP.cc, ICMP.cc, conn/main.zeek): the originator is the SYN sender, or,
// without a SYN, the side whose port is not in likely_server_ports; a
// connection first seen as a SYN-ACK flips when productive traffic
// follows; history letters repeat by the same rules. Timeouts differ from
// Zeek's by design: one idle timeout (default 120 s) for all protocols and
// an active timeout (default 1800 s) that Zeek lacks.
//
// # Invariants
//
// Memory is bounded by [Config.MaxFlows]: flows are preallocated in chunks
// and recycled, and processing a packet allocates nothing once the table
// has grown. Timeouts run on capture time (the largest timestamp seen), so
// output does not depend on how fast the input is read.
package flow
