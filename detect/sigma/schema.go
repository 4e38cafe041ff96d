package sigma

import (
	"strings"

	"flowsift/extract/table"
)

// RecordType names one of the extract tables a rule is evaluated over.
type RecordType string

// Record types, one per table in docs/schema.md.
const (
	Flows RecordType = "flows"
	DNS   RecordType = "dns"
	HTTP  RecordType = "http"
	TLS   RecordType = "tls"
)

// RecordTypes lists the record types in evaluation order.
var RecordTypes = []RecordType{Flows, DNS, HTTP, TLS}

// File returns the table's file name inside an extract directory.
func (rt RecordType) File() string { return string(rt) + ".parquet" }

// evidencePrefix is the table name used in alert evidence references.
func (rt RecordType) evidencePrefix() string {
	if rt == Flows {
		return "flow"
	}
	return string(rt)
}

// unit names what one row of the table is, for alert counts.
func (rt RecordType) unit() string {
	switch rt {
	case Flows:
		return "flows"
	case DNS:
		return "dns transactions"
	case HTTP:
		return "http requests"
	}
	return "tls handshakes"
}

// colType is a column's kind in the schema and whether it is a list.
type colType struct {
	kind table.Kind
	list bool
	// bits is 32 or 64 for integer columns (both read as int64).
	bits int
}

// schemaSpec spells docs/schema.md compactly: "name:kind" with kinds s
// (string), i (INT32), l (INT64), f (double), b (bool), t (timestamp), a trailing []
// for LIST. Templated statistics columns are expanded in init.
var schemaSpec = map[RecordType]string{
	Flows: `uid:s community_id:s segment:i capture_id:s capture_file:s first_pkt_no:l ts:t ts_end:t
duration:f span_us:l end_reason:s direction_flipped:b orig_h:s resp_h:s orig_p:i resp_p:i proto:s
ip_proto:i ip_version:i icmp_type:i icmp_code:i vlan:i inner_vlan:i orig_l2_addr:s resp_l2_addr:s
tunnel_type:s tunnel_parents:s[] local_orig:b local_resp:b conn_state:s history:s service:s app_proto:s
app_proto_source:s orig_bytes:l resp_bytes:l orig_pkts:l resp_pkts:l orig_ip_bytes:l resp_ip_bytes:l
missed_bytes:l orig_l2_bytes:l resp_l2_bytes:l orig_payload_bytes:l resp_payload_bytes:l
orig_l4_hdr_bytes:l resp_l4_hdr_bytes:l orig_l4_hdr_min:i orig_data_pkts:l resp_data_pkts:l
orig_init_win:i resp_init_win:i orig_wscale:i resp_wscale:i orig_mss:i resp_mss:i syn_ack_rtt_us:l
ack_rtt_us:l orig_retrans_pkts:l resp_retrans_pkts:l orig_zero_win_pkts:l resp_zero_win_pkts:l
orig_ttl_min:i orig_ttl_max:i resp_ttl_min:i resp_ttl_max:i active_min_us:l active_max_us:l
active_mean_us:f active_std_us:f idle_min_us:l idle_max_us:l idle_mean_us:f idle_std_us:f
subflow_count:i splt_dir:i[] splt_len:i[] splt_iat_us:l[] server_name:s ja3:s ja3_string:s ja4:s
user_agent:s dup_pkts:l truncated_pkts:l frag_pkts:i`,
	DNS: `ts:t uid:s capture_id:s trans_depth:i orig_h:s orig_p:i resp_h:s resp_p:i proto:s trans_id:i
rtt:f query:s qclass:i qtype:i qclass_name:s qtype_name:s rcode:i rcode_name:s AA:b TC:b RD:b RA:b Z:i
answers:s[] TTLs:l[] rejected:b opcode:i opcode_name:s query_length:i label_count:i longest_label:i
query_entropy:f registered_domain:s`,
	HTTP: `ts:t uid:s capture_id:s trans_depth:i orig_h:s orig_p:i resp_h:s resp_p:i method:s host:s uri:s
referrer:s version:s user_agent:s origin:s cookie:s username:s request_content_type:s
response_content_type:s request_body_len:l response_body_len:l status_code:i status_msg:s location:s
server:s client_header_names:s[] server_header_names:s[] request_head:s`,
	TLS: `ts:t uid:s capture_id:s trans_depth:i orig_h:s orig_p:i resp_h:s resp_p:i version:s cipher:s
curve:s server_name:s next_protocol:s established:b resumed:b client_version:i
client_supported_versions:i[] client_ciphers:i[] client_extensions:i[] client_curves:i[]
client_ec_point_formats:i[] client_sig_algs:i[] client_alpn:s[] server_version:i server_cipher:i
server_extensions:i[] ja3:s ja3_string:s ja4:s ja3s:s ja3s_string:s subject:s issuer:s
not_valid_before:t not_valid_after:t cert_serial:s san_dns:s[] cert_chain_fps:s[]`,
}

// schemas holds the parsed schemaSpec: record type -> column -> type.
var schemas = map[RecordType]map[string]colType{}

// schemaOrder keeps each table's columns in documented order.
var schemaOrder = map[RecordType][]string{}

func init() {
	kinds := map[byte]table.Kind{'s': table.String, 'i': table.Int64, 'l': table.Int64, 'f': table.Float64, 'b': table.Bool, 't': table.Time}
	for rt, spec := range schemaSpec {
		cols := map[string]colType{}
		add := func(name string, ct colType) {
			cols[name] = ct
			schemaOrder[rt] = append(schemaOrder[rt], name)
		}
		for _, f := range strings.Fields(spec) {
			name, k, _ := strings.Cut(f, ":")
			ct := colType{kind: kinds[k[0]], list: strings.HasSuffix(k, "[]")}
			switch k[0] {
			case 'i':
				ct.bits = 32
			case 'l':
				ct.bits = 64
			}
			add(name, ct)
		}
		if rt == Flows {
			for _, d := range []string{"bi", "orig", "resp"} {
				for _, s := range []string{"ps", "pl"} {
					add(d+"_"+s+"_min", colType{kind: table.Int64, bits: 32})
					add(d+"_"+s+"_max", colType{kind: table.Int64, bits: 32})
					add(d+"_"+s+"_mean", colType{kind: table.Float64})
					add(d+"_"+s+"_std", colType{kind: table.Float64})
				}
				add(d+"_iat_min_us", colType{kind: table.Int64, bits: 64})
				add(d+"_iat_max_us", colType{kind: table.Int64, bits: 64})
				add(d+"_iat_mean_us", colType{kind: table.Float64})
				add(d+"_iat_std_us", colType{kind: table.Float64})
			}
			for _, d := range []string{"orig", "resp"} {
				for _, f := range []string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"} {
					add(d+"_"+f+"_pkts", colType{kind: table.Int64, bits: 64})
				}
				for _, f := range []string{"count", "pkts", "bytes", "dur_us"} {
					add(d+"_bulk_"+f, colType{kind: table.Int64, bits: 64})
				}
			}
		}
		schemas[rt] = cols
	}
}

// Columns returns the documented columns of a record type's table in
// schema order, with their kinds and whether they are lists.
func Columns(rt RecordType) []ColumnInfo {
	out := make([]ColumnInfo, 0, len(schemaOrder[rt]))
	for _, n := range schemaOrder[rt] {
		ct := schemas[rt][n]
		out = append(out, ColumnInfo{Name: n, Kind: ct.kind, List: ct.list, Bits: ct.bits})
	}
	return out
}

// ColumnInfo describes one documented column.
type ColumnInfo struct {
	Name string
	Kind table.Kind
	List bool
	// Bits is 32 (INT32) or 64 (INT64) for integer columns, else 0.
	Bits int
}
