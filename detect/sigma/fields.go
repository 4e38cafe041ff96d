package sigma

import (
	"fmt"
	"strings"

	"flowsift/extract/table"
)

// remap names an opt-in translation of a host-telemetry logsource.
type remap uint8

const (
	remapNone remap = iota
	remapSysmonDNS
	remapSysmonNet
	remapWinDNSClient
	remapWinDNSAnalytic
	remapWFP
)

// route is where a rule's logsource sends it.
type route struct {
	rt    RecordType
	scope string // implicit extra condition ("rdp"), "" for none
	remap remap
}

// String renders the logsource as {category: x, product: y, service: z}.
func (l Logsource) String() string {
	var parts []string
	for _, kv := range [][2]string{{"category", l.Category}, {"product", l.Product}, {"service", l.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	if len(parts) == 0 {
		return "{}"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// zeekDissectors names what each Zeek service we lack would need.
var zeekDissectors = map[string]string{
	"smb_files":   "an SMB2 tree-connect/create dissector",
	"smb_mapping": "an SMB2 tree-connect dissector",
	"dce_rpc":     "a DCE/RPC dissector with Zeek's endpoint and operation name tables",
	"kerberos":    "a Kerberos AS/TGS dissector",
	"ntlm":        "an NTLM dissector",
	"smtp":        "an SMTP dissector",
	"ftp":         "an FTP command dissector",
	"ssh":         "an SSH dissector",
	"files":       "file extraction with MIME sniffing",
	"notice":      "Zeek's notice framework",
	"weird":       "Zeek's weird log",
}

// routeLogsource maps a rule's logsource to a record type, following the
// routing table of specs/sigma.md section 3.2.
func routeLogsource(ls Logsource, cfg Config) (route, error) {
	cat, prod, svc := strings.ToLower(ls.Category), strings.ToLower(ls.Product), strings.ToLower(ls.Service)
	unsupported := func(format string, args ...any) (route, error) {
		return route{}, errAt(ls.Pos, ErrUnsupported, "logsource %s: %s", ls, fmt.Sprintf(format, args...))
	}
	hostOnly := func(what string, r route) (route, error) {
		if !cfg.HostRemap {
			return unsupported("host telemetry (%s); enable host remapping to evaluate it over traffic records", what)
		}
		return r, nil
	}
	switch {
	case prod == "zeek":
		switch svc {
		case "conn":
			return route{rt: Flows}, nil
		case "dns":
			return route{rt: DNS}, nil
		case "http":
			return route{rt: HTTP}, nil
		case "ssl", "x509":
			return route{rt: TLS}, nil
		case "rdp":
			return route{rt: Flows, scope: "rdp"}, nil
		}
		if d, ok := zeekDissectors[svc]; ok {
			return unsupported("flowsift extracts no Zeek %s records (needs %s)", svc, d)
		}
		return unsupported("Zeek service %q has no flowsift table", svc)
	case cat == "dns" || prod == "dns" && cat == "":
		return route{rt: DNS}, nil
	case cat == "firewall" || svc == "netflow":
		return route{rt: Flows}, nil
	case cat == "network" && svc == "connection":
		return route{rt: Flows}, nil
	case cat == "network" && svc == "dns":
		return route{rt: DNS}, nil
	case (cat == "proxy" || cat == "webserver") && svc == "":
		return route{rt: HTTP}, nil
	case cat == "dns_query":
		return hostOnly("Sysmon DNS query events", route{rt: DNS, remap: remapSysmonDNS})
	case cat == "network_connection":
		return hostOnly("Sysmon network connection events", route{rt: Flows, remap: remapSysmonNet})
	case prod == "windows" && svc == "dns-client":
		return hostOnly("Windows DNS client events", route{rt: DNS, remap: remapWinDNSClient})
	case prod == "windows" && svc == "dns-server-analytic":
		return hostOnly("Windows DNS server analytic events", route{rt: DNS, remap: remapWinDNSAnalytic})
	case prod == "windows" && svc == "security":
		return hostOnly("Windows Filtering Platform events", route{rt: Flows, remap: remapWFP})
	case prod == "windows":
		return unsupported("Windows event log about host state, not traffic")
	case cat == "" && prod == "" && svc == "":
		return unsupported("empty logsource")
	}
	return unsupported("no pcap-derived record type serves it")
}

// Derived sources: values computed from other columns per batch.
type derived uint8

const (
	dNone     derived = iota
	dURIPath          // path of uri, without query; absolute-form URIs lose scheme and authority
	dURIQuery         // text after the first ?; null without one
	dURIExt           // extension of the last path segment, without the dot; null without one
	dAbsURI           // http://host + uri for origin-form requests, else uri
	dAction           // synthesized firewall verdict words (list)
	dBlocked          // synthesized firewall blocked flag
	dTrue             // constant true (Sysmon Initiated: every flow is seen from its originator)
	dIsIPv6           // ip_version = 6
)

// source is one column view a leaf reads: a table column or a derived one.
// Sources are interned per record type, so pointer identity is a cache key.
type source struct {
	key  string
	col  string // table column; "" for derived
	der  derived
	deps []string
	kind table.Kind
	list bool
}

var derivedSpecs = map[string]struct {
	der  derived
	deps []string
	kind table.Kind
	list bool
}{
	"$uri_path":  {dURIPath, []string{"uri"}, table.String, false},
	"$uri_query": {dURIQuery, []string{"uri"}, table.String, false},
	"$uri_ext":   {dURIExt, []string{"uri"}, table.String, false},
	"$abs_uri":   {dAbsURI, []string{"host", "uri"}, table.String, false},
	"$action":    {dAction, []string{"conn_state"}, table.String, true},
	"$blocked":   {dBlocked, []string{"conn_state"}, table.Bool, false},
	"$true":      {dTrue, nil, table.Bool, false},
	"$is_ipv6":   {dIsIPv6, []string{"ip_version"}, table.Bool, false},
}

// endpointAliases apply to every record type: all tables carry the flow's
// endpoints under Zeek's names without the id. prefix.
var endpointAliases = map[string][]string{
	"id.orig_h": {"orig_h"}, "src_ip": {"orig_h"}, "src": {"orig_h"}, "c-ip": {"orig_h"}, "clientip": {"orig_h"},
	"source.ip": {"orig_h"}, "source.address": {"orig_h"}, "srcip": {"orig_h"}, "SourceIp": {"orig_h"},
	"SourceIP": {"orig_h"}, "SourceAddress": {"orig_h"}, "client.ip": {"orig_h"},
	"id.orig_p": {"orig_p"}, "src_port": {"orig_p"}, "source.port": {"orig_p"}, "srcport": {"orig_p"},
	"SourcePort": {"orig_p"}, "client.port": {"orig_p"}, "c-port": {"orig_p"},
	"id.resp_h": {"resp_h"}, "dst_ip": {"resp_h"}, "dst": {"resp_h"}, "dest_ip": {"resp_h"}, "dstip": {"resp_h"},
	"dst-ip": {"resp_h"}, "destination.ip": {"resp_h"}, "destination.address": {"resp_h"},
	"DestinationIp": {"resp_h"}, "DestinationIP": {"resp_h"}, "DestAddress": {"resp_h"}, "s-ip": {"resp_h"},
	"server.ip": {"resp_h"},
	"id.resp_p": {"resp_p"}, "dst_port": {"resp_p"}, "dest_port": {"resp_p"}, "dstport": {"resp_p"},
	"destination.port": {"resp_p"}, "DestinationPort": {"resp_p"}, "DestPort": {"resp_p"}, "s-port": {"resp_p"},
	"server.port": {"resp_p"},
}

var recordAliases = map[RecordType]map[string][]string{
	Flows: {
		"network_protocol": {"proto"}, "network.transport": {"proto"}, "transport": {"proto"},
		"network.protocol": {"service"}, "network.community_id": {"community_id"},
		"network.state": {"conn_state"}, "network.history": {"history"},
		"source.bytes": {"orig_bytes"}, "destination.bytes": {"resp_bytes"},
		"source.packets": {"orig_pkts"}, "destination.packets": {"resp_pkts"},
		// Firewall logs size the whole message; the closest flow measure
		// is what the originator put on the wire.
		"message_size": {"orig_ip_bytes"},
		"icmp.type":    {"icmp_type"}, "icmp.code": {"icmp_code"},
		"destination.domain": {"server_name"}, "DestinationHostname": {"server_name"}, "dest_domain": {"server_name"},
		"tls.client.server_name": {"server_name"}, "tls.client.ja3": {"ja3"}, "tls.client.ja4": {"ja4"},
		"user_agent.original": {"user_agent"}, "c-useragent": {"user_agent"},
		"source.mac": {"orig_l2_addr"}, "destination.mac": {"resp_l2_addr"},
	},
	DNS: {
		"record_type": {"qtype_name"}, "dns.question.type": {"qtype_name"},
		"dns.question.name": {"query"}, "dns_query": {"query"}, "c-dns": {"query"},
		"dns.question.class": {"qclass_name"}, "dns.response_code": {"rcode_name"},
		"answer": {"answers"}, "dns.answers.data": {"answers"},
		"ttl": {"TTLs"}, "dns.answers.ttl": {"TTLs"}, "dns.id": {"trans_id"},
		"parent_domain": {"registered_domain"}, "query_etld_plus_one": {"registered_domain"},
		"dns.question.registered_domain": {"registered_domain"},
		// The question section's wire length is the name's length plus
		// framing; rules threshold it in the hundreds of thousands, where
		// the difference does not matter.
		"question_length":   {"query_length"},
		"network.transport": {"proto"},
	},
	HTTP: {
		"cs-method": {"method"}, "http.request.method": {"method"}, "http.method": {"method"}, "http_method": {"method"},
		"cs-host": {"host"}, "r-dns": {"host"}, "url.domain": {"host"}, "destination.domain": {"host"},
		"http_host": {"host"}, "DestinationHostname": {"host"}, "dest_domain": {"host"},
		// Proxies log the URL as the client sent it: a path for direct
		// requests, an absolute URL for proxied ones. Rules use both forms.
		"c-uri": {"uri", "$abs_uri"}, "cs-uri": {"uri"}, "url.original": {"uri"}, "url.full": {"$abs_uri"},
		// SigmaHQ web-server rules use cs-uri-query for path and query,
		// as the legacy ECS mapping did.
		"cs-uri-query": {"uri"},
		"c-uri-stem":   {"$uri_path"}, "cs-uri-stem": {"$uri_path"}, "url.path": {"$uri_path"},
		"c-uri-query": {"$uri_query"}, "url.query": {"$uri_query"},
		"c-uri-extension": {"$uri_ext"}, "url.extension": {"$uri_ext"},
		"c-useragent": {"user_agent"}, "cs-user-agent": {"user_agent"}, "user_agent.original": {"user_agent"},
		"http_user_agent": {"user_agent"}, "useragent": {"user_agent"},
		"cs-referrer": {"referrer"}, "cs-referer": {"referrer"}, "http.request.referrer": {"referrer"}, "referer": {"referrer"},
		"cs-cookie": {"cookie"}, "c-cookie": {"cookie"},
		"cs-version": {"version"}, "http.version": {"version"},
		"sc-status": {"status_code"}, "http.response.status_code": {"status_code"}, "status": {"status_code"},
		"cs-bytes": {"request_body_len"}, "http.request.body.bytes": {"request_body_len"},
		"sc-bytes": {"response_body_len"}, "http.response.body.bytes": {"response_body_len"},
		"cs-content-type": {"request_content_type"}, "http.request.mime_type": {"request_content_type"},
		"http.response.mime_type": {"response_content_type"},
		"cs-username":             {"username"}, "url.username": {"username"},
	},
	TLS: {
		"tls.client.server_name": {"server_name"}, "ssl.server_name": {"server_name"}, "sni": {"server_name"},
		"DestinationHostname": {"server_name"}, "destination.domain": {"server_name"},
		"tls.client.ja3": {"ja3"}, "tls.server.ja3s": {"ja3s"}, "tls.client.ja4": {"ja4"},
		"tls.cipher": {"cipher"}, "tls.curve": {"curve"}, "tls.next_protocol": {"next_protocol"},
		"tls.established": {"established"}, "tls.resumed": {"resumed"},
		"certificate.serial": {"cert_serial"}, "tls.server.x509.serial_number": {"cert_serial"}, "x509.serial_number": {"cert_serial"},
		"certificate.subject": {"subject"}, "tls.server.subject": {"subject"}, "tls.server.x509.subject.distinguished_name": {"subject"},
		"certificate.issuer": {"issuer"}, "tls.server.issuer": {"issuer"}, "tls.server.x509.issuer.distinguished_name": {"issuer"},
		"certificate.not_valid_before": {"not_valid_before"}, "tls.server.not_before": {"not_valid_before"},
		"certificate.not_valid_after": {"not_valid_after"}, "tls.server.not_after": {"not_valid_after"},
		"san.dns": {"san_dns"}, "tls.server.x509.alternative_names": {"san_dns"},
	},
}

// remapAliases are the host-telemetry names a remap adds. nil targets mean
// "drop this constraint" (Windows-only fields that traffic cannot check).
var remapAliases = map[remap]map[string][]string{
	remapSysmonDNS:      {"QueryName": {"query"}, "QueryResults": {"answers"}, "QueryStatus": {"rcode"}},
	remapWinDNSClient:   {"QueryName": {"query"}, "EventID": nil},
	remapWinDNSAnalytic: {"QNAME": {"query"}, "EventID": nil},
	remapSysmonNet: {
		"Initiated": {"$true"}, "Protocol": {"proto"}, "DestinationHostname": {"server_name"},
		"SourceIsIpv6": {"$is_ipv6"}, "DestinationIsIpv6": {"$is_ipv6"},
	},
	remapWFP: {"EventID": nil, "LayerRTID": nil, "Protocol": {"ip_proto"}},
}

// remapEventIDs are the Windows event ids that describe traffic in each
// remapped log; a rule about another event id is skipped rather than
// turned into "match everything".
var remapEventIDs = map[remap][]string{
	remapWinDNSClient:   {"3006", "3008", "3010", "3011", "3018", "3019", "3020"},
	remapWinDNSAnalytic: {"256", "257", "258", "259", "260"},
	remapWFP:            {"5156"},
}

// hostFields need process or host attribution, which traffic lacks.
var hostFields = map[string]bool{
	"Image": true, "ParentImage": true, "CommandLine": true, "ParentCommandLine": true, "User": true,
	"Computer": true, "ComputerName": true, "ProcessId": true, "ProcessGuid": true, "ParentProcessId": true,
	"ParentProcessGuid": true, "Application": true, "ApplicationPath": true, "ModifyingApplication": true,
	"TargetFilename": true, "OriginalFileName": true, "Hashes": true, "IntegrityLevel": true,
	"CurrentDirectory": true, "Company": true, "Product": true, "Description": true, "LogonId": true,
	"SubjectUserName": true, "TargetUserName": true, "process.executable": true, "process.name": true,
	"process.command_line": true, "user.name": true, "host.name": true, "SourceHostname": true,
	"SourcePortName": true, "DestinationPortName": true,
}

// keywordColumn is the full text keyword searches run over, per record
// type; only HTTP has one (request line and headers as sent).
var keywordColumn = map[RecordType]string{HTTP: "request_head"}

// fieldTargets resolves a rule field name for a route: the source keys to
// OR over, or drop=true for a constraint the remap ignores. An error says
// why the field cannot be served; callers report it as unsupported.
func fieldTargets(r route, field string, cfg Config) (targets []string, drop bool, err error) {
	if t, ok := remapAliases[r.remap][field]; ok {
		return t, t == nil, nil
	}
	if hostFields[field] {
		return nil, false, fmt.Errorf("field %s requires host telemetry (process or host attribution), which traffic does not carry", field)
	}
	if _, ok := schemas[r.rt][field]; ok {
		return []string{field}, false, nil
	}
	if t, ok := recordAliases[r.rt][field]; ok {
		return t, false, nil
	}
	if t, ok := endpointAliases[field]; ok {
		return t, false, nil
	}
	if r.rt == Flows && (field == "action" || field == "blocked") {
		if !cfg.FirewallVerdict {
			return nil, false, fmt.Errorf("field %s is a firewall verdict that traffic does not carry (enable the synthesized verdict to evaluate it)", field)
		}
		return []string{"$" + field}, false, nil
	}
	if hint := missingFieldHint(r.rt, field); hint != "" {
		return nil, false, fmt.Errorf("field %s %s", field, hint)
	}
	return nil, false, fmt.Errorf("field %s has no column in %s records", field, r.rt)
}

func missingFieldHint(rt RecordType, field string) string {
	switch field {
	case "resp_mime_types", "orig_mime_types", "mime_types", "filetype", "http.bodyMagic":
		return "needs HTTP body MIME sniffing, which flowsift does not do"
	case "post_body", "http.request.body.content":
		return "needs HTTP request bodies, which flowsift does not keep"
	case "validation_status":
		return "needs certificate chain validation, which flowsift does not do"
	case "event.duration":
		return "is nanoseconds in ECS; use duration (seconds)"
	}
	return ""
}

// sourceSet interns sources per record type.
type sourceSet struct {
	rt   RecordType
	byID map[string]*source
}

func newSourceSet(rt RecordType) *sourceSet {
	return &sourceSet{rt: rt, byID: map[string]*source{}}
}

// get returns the interned source for a key: a column name or a $derived
// name.
func (ss *sourceSet) get(key string) (*source, error) {
	if s := ss.byID[key]; s != nil {
		return s, nil
	}
	var s *source
	if d, ok := derivedSpecs[key]; ok {
		s = &source{key: key, der: d.der, deps: d.deps, kind: d.kind, list: d.list}
	} else if ct, ok := schemas[ss.rt][key]; ok {
		s = &source{key: key, col: key, deps: []string{key}, kind: ct.kind, list: ct.list}
	} else {
		return nil, fmt.Errorf("column %s is not in the %s schema", key, ss.rt)
	}
	ss.byID[key] = s
	return s, nil
}
