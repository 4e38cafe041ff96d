// Package sigma evaluates Sigma rules (specification v2.1, with pySigma's
// behaviour where the specification is silent) over the tables the extract
// stage writes, as column operations, and compiles the same rules to SQL.
//
// # Input
//
// Rule files: YAML, one rule per document, multi-document files for
// correlations. Load and LoadConfig read files and directories
// (recursively, *.yml and *.yaml); Parse and Compile work on bytes. Values
// keep their exact text and YAML type, resolved with YAML 1.1 rules as
// PyYAML does, so an unquoted 00000429 stays a string and dates stay
// strings.
//
// Tables: DIR/flows.parquet, DIR/dns.parquet, DIR/http.parquet and
// DIR/tls.parquet with the columns of docs/schema.md; any may be absent, and
// a column a file lacks reads as null. Evaluate reads only the columns the
// rules need, one row group at a time, through flowsift/extract/table.
//
// # Output
//
// A Report with one entry per rule document: supported, skipped (valid
// Sigma that traffic tables cannot serve: a host-telemetry logsource, a
// field without a column, an unexpanded placeholder) or invalid (with file,
// line, column and what is wrong). Rules are never dropped silently and
// never loaded when they could not match: a rule is skipped as a whole when
// any field its condition uses cannot be served, even if another branch
// could still match, because evaluating half a rule changes what it means.
//
// Alerts (flowsift/detect/alert) with Detector "sigma": one per rule,
// source address (orig_h) and capture, so that a rule matching ten thousand
// requests from one client is one finding. Count and EvidenceTotal are the
// matching rows; Evidence lists the first MaxEvidence row references
// (flow:<uid>, dns:<uid>:<trans_depth>, http:..., tls:...); Dst the
// responders (capped); DstPort the responder port when there is one;
// Mitre the technique ids of attack.tNNNN tags; Confidence follows the
// rule's status (stable 0.9, test 0.75, experimental 0.5). Correlation
// alerts have one alert per group-by key and run of overlapping windows
// that satisfied the condition, Count being the aggregate and Threshold the
// condition's value. Alerts are sorted by (TsFirst, RuleID, Src).
//
// SQL (Ruleset.SQL) for DuckDB, close to ANSI, selecting the same rows as
// the engine, or an error wrapping ErrNoSQL when no faithful translation
// exists.
//
// # Invariants
//
//   - Each rule compiles once into a plan of AND/OR/NOT over leaves; a leaf
//     tests one column view and yields a bitmap of matching rows per batch.
//     Evaluation narrows a candidate bitmap (AND evaluates its next operand
//     only on rows still true), never walks rows through maps.
//   - Literals are folded once at load time. Column views (text, folded
//     text, parsed addresses, derived columns) are computed once per batch
//     and shared by every rule. One Aho-Corasick pass per column and batch
//     finds every rule's literals; exact matchers, globs and regular
//     expressions then run only on the rows that contain a required literal.
//   - No input, however malformed, makes the package panic; errors wrap
//     ErrSyntax, ErrInvalid, ErrUnsupported, ErrLimit or ErrNoSQL.
//   - Loading and evaluation are deterministic: files in sorted order,
//     alerts sorted, no map order leaks into output.
//
// # Matching semantics
//
// Strings: * is any run of characters, ? exactly one character; a
// backslash escapes *, ? and itself and is literal before anything else or
// at the end (pySigma's SigmaString), so \\\*\IPC$ means \*\IPC$. Matching
// is case-insensitive by simple Unicode case folding (K, K and k alike, ſ
// and s alike); cased makes it exact; re is case-sensitive unless i, is
// RE2 (look-around and back-references are skipped as unsupported) and
// searches anywhere. Numbers and booleans compare as decimal and true/false
// text, so sc-status|contains: '20' works on the integer status column.
// null matches an absent (null) value, ” a present empty one. A list
// column matches when any element does; under all each value may be met by
// a different element. Keywords search the HTTP request head (request line
// and headers as sent), case-insensitively as substrings; other record
// types have no full text and keyword rules for them are skipped. A
// selector that matches no identifier is dropped from the condition as
// pySigma drops it (with a load warning); a condition left empty is
// invalid. neq negates the whole item, so a missing field satisfies it.
//
// # Logsources and fields
//
// Routing follows specs/sigma.md section 3.2: product zeek with service
// conn, dns, http, ssl/x509 and rdp (flows to or from RDP: service rdp, or
// TCP to port 3389); category dns, firewall, proxy, webserver; service
// netflow; category network with service connection or dns. Field names
// resolve per record type: table columns first, then Zeek dotted names
// (id.orig_h), firewall, proxy and web-server W3C names, ECS names and the
// Sysmon endpoint names. An alias may name several columns and matches if
// any does (c-uri is the request target and its absolute http://host form).
// Derived columns: c-uri-stem (path without query), c-uri-query (text after
// the first ?, null without one), c-uri-extension (extension of the last
// path segment), and cs-uri-query meaning path and query as SigmaHQ
// web-server rules use it.
//
// Firewall verdicts (Config.FirewallVerdict, on by default): action is
// synthesized from Zeek's conn_state as the list of words vendors use, so
// any spelling matches: completed handshakes (SF, S1, S2, S3, RSTO, RSTR)
// are accept/allow/forward/pass/permit, refused ones (REJ) reject/deny/
// block, unanswered ones (S0, RSTOS0, SH) drop/deny/block; blocked is false
// for the first and true for the others; other states are null. A pcap
// shows only what reached the wire, so these are approximations.
//
// Host telemetry (Config.HostRemap, off by default): Sysmon dns_query and
// Windows dns-client/dns-server-analytic rules run over DNS records
// (QueryName is query), Sysmon network_connection and Windows WFP (event
// 5156) rules over flows (Initiated is always true: flows are seen from
// their originator). EventID and LayerRTID are dropped; rules that need
// Image, CommandLine, User and other process data are skipped.
//
// # Correlations
//
// event_count, value_count, temporal, temporal_ordered, value_sum,
// value_avg and value_percentile (linear interpolation between closest
// ranks), with group-by, aliases and generate. Windows slide: for each
// group, a window starts at every event and spans the timespan
// inclusively; overlapping windows that satisfy the condition merge into
// one alert. Events without a group-by value are left out, as SIEM group-by
// does. Legacy "| count() by x > n", count(field), sum(field) and avg(field)
// with timeframe are translated into correlations over the rule itself
// (unbounded window without timeframe); min, max and near are skipped.
// Correlations of correlations are not supported. Matches kept for
// correlations are bounded by Config.MaxCorrelationEvents.
//
// # SQL
//
// lower() and LIKE ... ESCAPE '\' (with %, _ and \ escaped) for strings,
// list_filter with a lambda for list columns, regexp_matches for re,
// dotted-quad arithmetic for IPv4 CIDR, canonical-text tests for IPv6
// prefixes made of whole non-zero groups or inside the first group, and
// make_timestamp(epoch_us(ts)) so time parts never depend on the session
// time zone. Refused: correlations and legacy aggregations, other IPv6
// prefixes, text matching on floating-point or timestamp columns, values
// with control characters. DuckDB's lower() maps a few characters (ſ, ς)
// differently from the engine's case folding.
package sigma
