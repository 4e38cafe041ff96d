package sigma

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// engineCase is a rule, records (JSON lines with a "type" key) and the
// indexes of the records the rule must match.
type engineCase struct {
	name    string
	rule    string
	records string
	want    []int
	cfg     func(*Config)
}

func runEngineCases(t *testing.T, cases []engineCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			rs, rep := loadRuleText(t, cfg, tc.rule)
			for _, r := range rep.Rules {
				if r.Status != Supported {
					t.Fatalf("rule %s: %s", r.Status, r.Reason)
				}
			}
			var recs []record
			for i, line := range strings.Split(strings.TrimSpace(tc.records), "\n") {
				r, err := decodeRecord([]byte(line))
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				recs = append(recs, r)
			}
			got := []int{}
			for i := range recs {
				if len(matchRecords(t, rs, recs[i:i+1])[0]) > 0 {
					got = append(got, i)
				}
			}
			// The same records evaluated as one batch must agree with the
			// one-row batches (candidate bitmaps, shared caches).
			batchGot := []int{}
			all := matchRecords(t, rs, recs)
			for i := range recs {
				if len(all[i]) > 0 {
					batchGot = append(batchGot, i)
				}
			}
			want := tc.want
			if want == nil {
				want = []int{}
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("matches (-got, +want):\n%s", diff)
			}
			if diff := cmp.Diff(batchGot, want); diff != "" {
				t.Errorf("matches in one batch (-got, +want):\n%s", diff)
			}
		})
	}
}

const ruleHead = `title: test
id: 11111111-1111-4111-8111-111111111111
status: test
level: high
`

func TestEngineTraps(t *testing.T) {
	runEngineCases(t, []engineCase{
		{
			name: "unescaped question mark is one character",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-uri|contains: '/a.php?id='
  condition: sel
`,
			records: `{"type":"http","uri":"/a.php?id=1"}
{"type":"http","uri":"/a.phpXid=1"}
{"type":"http","uri":"/a.phpid=1"}
{"type":"http","uri":"/A.PHP?ID=1"}`,
			want: []int{0, 1, 3},
		},
		{
			name: "escaped question mark is literal",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-uri|contains: 'momyshark\?key='
  condition: sel
`,
			records: `{"type":"http","uri":"/x/momyshark?key=abc"}
{"type":"http","uri":"/x/momysharkXkey=abc"}`,
			want: []int{0},
		},
		{
			name: "plain value is anchored",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    cs-method: POST
  condition: sel
`,
			records: `{"type":"http","method":"POST"}
{"type":"http","method":"post"}
{"type":"http","method":"POSTX"}
{"type":"http"}`,
			want: []int{0, 1},
		},
		{
			name: "unicode case folding",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-useragent|contains: 'sqlmap'
  sel2:
    c-useragent|contains: 'KALI'
  condition: sel or sel2
`,
			records: `{"type":"http","user_agent":"SQLMAP/1.7"}
{"type":"http","user_agent":"ſqlmap/1.7"}
{"type":"http","user_agent":"Mozilla kali linux"}
{"type":"http","user_agent":"Mozilla \u212Aali linux"}
{"type":"http","user_agent":"Mozilla"}`,
			want: []int{0, 1, 2, 3},
		},
		{
			name: "cased is case-sensitive",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-useragent|cased|contains: 'Nikto'
  condition: sel
`,
			records: `{"type":"http","user_agent":"Mozilla (Nikto/2.1)"}
{"type":"http","user_agent":"mozilla (nikto/2.1)"}`,
			want: []int{0},
		},
		{
			name: "re is case-sensitive unless i",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  a:
    c-uri|re: '/admin/[a-z]+\.php'
  b:
    cs-host|re|i: '^EVIL\.'
  condition: a or b
`,
			records: `{"type":"http","uri":"/x/admin/login.php"}
{"type":"http","uri":"/x/ADMIN/login.php"}
{"type":"http","host":"evil.example"}
{"type":"http","host":"not-evil.example"}`,
			want: []int{0, 2},
		},
		{
			name: "null is absent, empty string is present and empty",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  noua:
    cs-user-agent: null
  emptyref:
    cs-referer: ''
  condition: noua or emptyref
`,
			records: `{"type":"http","user_agent":"x","referrer":"y"}
{"type":"http","referrer":"y"}
{"type":"http","user_agent":"x","referrer":""}
{"type":"http","user_agent":"","referrer":"y"}`,
			want: []int{1, 2},
		},
		{
			name: "numbers are stringified for string modifiers",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  sel:
    sc-status|contains: '20'
    cs-method: 'GET'
  condition: sel
`,
			records: `{"type":"http","status_code":200,"method":"GET"}
{"type":"http","status_code":404,"method":"GET"}
{"type":"http","status_code":120,"method":"GET"}`,
			want: []int{0, 2},
		},
		{
			name: "numeric equality with quoted and unquoted numbers",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  a:
    sc-status: 200
  b:
    sc-status: '404'
  condition: a or b
`,
			records: `{"type":"http","status_code":200}
{"type":"http","status_code":404}
{"type":"http","status_code":2000}`,
			want: []int{0, 1},
		},
		{
			name: "booleans compare as true and false text",
			rule: ruleHead + `logsource: {product: zeek, service: dns}
detection:
  a:
    rejected: 'true'
  b:
    AA: true
  condition: a or b
`,
			records: `{"type":"dns","rejected":true,"AA":false}
{"type":"dns","rejected":false,"AA":false}
{"type":"dns","rejected":false,"AA":true}
{"type":"dns"}`,
			want: []int{0, 2},
		},
		{
			name: "list fields match any element; all may use different elements",
			rule: ruleHead + `logsource: {product: zeek, service: dns}
detection:
  sel:
    answers|contains|all:
      - '10.1.'
      - 'evil'
  condition: sel
`,
			records: `{"type":"dns","answers":["10.1.2.3","cdn.evil.example"]}
{"type":"dns","answers":["10.1.2.3"]}
{"type":"dns","answers":["evil.10.1.x"]}
{"type":"dns","answers":[]}
{"type":"dns"}`,
			want: []int{0, 2},
		},
		{
			name: "zeek x00 escape in answers",
			rule: ruleHead + `logsource: {product: zeek, service: dns}
detection:
  sel:
    answers|endswith: '\\x00'
  condition: sel
`,
			records: `{"type":"dns","answers":["abc\\x00"]}
{"type":"dns","answers":["abc\u0000"]}
{"type":"dns","answers":["abcx00"]}`,
			want: []int{0},
		},
		{
			name: "c-uri matches path and absolute form",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  path:
    c-uri: '/s/ref=nb_sb_noss_1/167-3294888-0262949/field-keywords=books'
  abs:
    c-uri|startswith: 'http'
    c-uri|contains: '://onedrive.live.com/'
  condition: path or abs
`,
			records: `{"type":"http","host":"x","uri":"/s/ref=nb_sb_noss_1/167-3294888-0262949/field-keywords=books"}
{"type":"http","host":"onedrive.live.com","uri":"/download?x=1"}
{"type":"http","host":"proxy","uri":"http://onedrive.live.com/y"}
{"type":"http","host":"example.com","uri":"/onedrive.live.com/"}`,
			want: []int{0, 1, 2},
		},
		{
			name: "uri stem, query and extension are derived",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  ext:
    c-uri-extension: exe
  stem:
    cs-uri-stem: '/upload.aspx'
  query:
    c-uri-query|startswith: 'cmd='
  condition: ext or stem or query
`,
			records: `{"type":"http","uri":"/files/setup.exe?v=1"}
{"type":"http","uri":"/files/setup.exe.txt"}
{"type":"http","uri":"/upload.aspx?id=2"}
{"type":"http","uri":"http://h.example/upload.aspx"}
{"type":"http","uri":"/x.php?cmd=id"}
{"type":"http","uri":"/x.php?a=1&cmd=id"}
{"type":"http","uri":"/exe"}`,
			want: []int{0, 2, 3, 4},
		},
		{
			name: "cs-uri-query is path and query",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  sel:
    cs-uri-query|contains: '/owa/auth/'
  condition: sel
`,
			records: `{"type":"http","uri":"/owa/auth/x.js?a=1"}
{"type":"http","uri":"/ecp/?x=/owa/auth/"}
{"type":"http","uri":"/owa/x"}`,
			want: []int{0, 1},
		},
		{
			name: "keywords search the request head",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  keywords:
    - '${jndi:'
    - 'Basic Jz'
  condition: keywords
`,
			records: `{"type":"http","request_head":"GET / HTTP/1.1\r\nUser-Agent: ${JNDI:ldap://x}\r\n"}
{"type":"http","request_head":"GET / HTTP/1.1\r\nAuthorization: basic jzabc\r\n"}
{"type":"http","request_head":"GET /jndi HTTP/1.1\r\n"}
{"type":"http","uri":"/${jndi:x}"}`,
			want: []int{0, 1},
		},
		{
			name: "keywords with all",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  keywords:
    '|all':
      - 'union'
      - 'select'
  condition: keywords
`,
			records: `{"type":"http","request_head":"GET /?q=UNION%20SELECT HTTP/1.1\r\n"}
{"type":"http","request_head":"GET /?q=union HTTP/1.1\r\n"}`,
			want: []int{0},
		},
	})
}

func TestEngineConditions(t *testing.T) {
	runEngineCases(t, []engineCase{
		{
			name: "1 of and not 1 of",
			rule: ruleHead + `logsource: {product: zeek, service: dns}
detection:
  selection:
    query|endswith: '.onion'
  exclude_a:
    answers: '127.0.0.1'
  exclude_b:
    rejected: 'true'
  condition: selection and not 1 of exclude_*
`,
			records: `{"type":"dns","query":"abc.onion","answers":["1.2.3.4"],"rejected":false}
{"type":"dns","query":"abc.onion","answers":["127.0.0.1"],"rejected":false}
{"type":"dns","query":"abc.onion","rejected":true}
{"type":"dns","query":"abc.com"}`,
			want: []int{0},
		},
		{
			name: "all of pattern",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  sel_a:
    cs-method: POST
  sel_b:
    cs-uri-query|contains: '.jsp'
  condition: all of sel_*
`,
			records: `{"type":"http","method":"POST","uri":"/a.jsp"}
{"type":"http","method":"GET","uri":"/a.jsp"}`,
			want: []int{0},
		},
		{
			name: "them excludes underscore identifiers",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  a:
    cs-method: POST
  _b:
    cs-method: GET
  condition: 1 of them
`,
			records: `{"type":"http","method":"POST"}
{"type":"http","method":"GET"}`,
			want: []int{0},
		},
		{
			name: "precedence: not binds tighter than and, and tighter than or",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  a:
    cs-method: GET
  b:
    cs-host: x
  c:
    sc-status: 500
  condition: a or not b and c
`,
			records: `{"type":"http","method":"GET","host":"x","status_code":200}
{"type":"http","method":"PUT","host":"y","status_code":500}
{"type":"http","method":"PUT","host":"x","status_code":500}
{"type":"http","method":"PUT","host":"y","status_code":200}`,
			want: []int{0, 1},
		},
		{
			name: "parentheses",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  a:
    cs-method: GET
  b:
    cs-host: x
  c:
    sc-status: 500
  condition: (a or not b) and c
`,
			records: `{"type":"http","method":"GET","host":"x","status_code":200}
{"type":"http","method":"PUT","host":"y","status_code":500}
{"type":"http","method":"GET","host":"x","status_code":500}
{"type":"http","method":"PUT","host":"x","status_code":500}`,
			want: []int{1, 2},
		},
		{
			name: "condition list is ORed",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  a:
    cs-method: GET
  b:
    cs-host: x
  condition:
    - a
    - b
`,
			records: `{"type":"http","method":"GET"}
{"type":"http","host":"x"}
{"type":"http","host":"y"}`,
			want: []int{0, 1},
		},
		{
			name: "list of maps is ORed",
			rule: ruleHead + `logsource: {category: firewall}
detection:
  selection:
    - dst_ip: '69.42.98.86'
    - src_ip: '69.42.98.86'
  condition: selection
`,
			records: `{"type":"flows","orig_h":"10.0.0.1","resp_h":"69.42.98.86"}
{"type":"flows","orig_h":"69.42.98.86","resp_h":"10.0.0.1"}
{"type":"flows","orig_h":"10.0.0.1","resp_h":"10.0.0.2"}`,
			want: []int{0, 1},
		},
		{
			name: "same field with different modifiers is ANDed",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-uri|startswith: '/api/'
    c-uri|endswith: '.php'
  condition: sel
`,
			records: `{"type":"http","uri":"/api/x.php"}
{"type":"http","uri":"/api/x.asp"}
{"type":"http","uri":"/v1/x.php"}`,
			want: []int{0},
		},
		{
			name: "selector matching nothing is dropped as in pySigma",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  sel:
    c-uri|contains: 'x'
  condition: sel and not 1 of filter_*
`,
			records: `{"type":"http","uri":"/x"}
{"type":"http","uri":"/y"}`,
			want: []int{0},
		},
		{
			name: "dropped selector leaves the other operand, not a constant",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  a:
    c-uri|contains: 'a'
  b:
    c-uri|contains: 'b'
  condition: a and (b or not 1 of f_*)
`,
			records: `{"type":"http","uri":"/ab"}
{"type":"http","uri":"/a"}`,
			want: []int{0},
		},
	})
}

func TestEngineModifiers(t *testing.T) {
	runEngineCases(t, []engineCase{
		{
			name: "cidr v4 and v6, not selection",
			rule: ruleHead + `logsource: {product: zeek, service: rdp}
detection:
  selection:
    id.orig_h|cidr:
      - '::1/128'
      - '10.0.0.0/8'
      - '192.168.0.0/16'
      - 'fc00::/7'
  condition: not selection
`,
			records: `{"type":"flows","orig_h":"10.1.2.3","proto":"tcp","resp_p":3389}
{"type":"flows","orig_h":"8.8.8.8","proto":"tcp","resp_p":3389}
{"type":"flows","orig_h":"fd00::1","proto":"tcp","resp_p":3389}
{"type":"flows","orig_h":"2001:db8::1","proto":"tcp","resp_p":3389}
{"type":"flows","orig_h":"8.8.8.8","proto":"tcp","resp_p":22}
{"type":"flows","orig_h":"8.8.8.8","proto":"tcp","resp_p":4000,"service":"rdp"}
{"type":"flows","orig_h":"not-an-ip","proto":"tcp","resp_p":3389}`,
			want: []int{1, 3, 5, 6},
		},
		{
			name: "exists true and false",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  a:
    cs-cookie|exists: true
    cs-method: GET
  b:
    c-useragent|exists: false
    cs-method: POST
  condition: a or b
`,
			records: `{"type":"http","method":"GET","cookie":""}
{"type":"http","method":"GET"}
{"type":"http","method":"POST"}
{"type":"http","method":"POST","user_agent":""}`,
			want: []int{0, 2},
		},
		{
			name: "neq negates the item and a missing field satisfies it",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  sel:
    cs-method|neq:
      - GET
      - HEAD
    cs-host: h
  condition: sel
`,
			records: `{"type":"http","method":"POST","host":"h"}
{"type":"http","method":"get","host":"h"}
{"type":"http","host":"h"}
{"type":"http","method":"HEAD","host":"h"}`,
			want: []int{0, 2},
		},
		{
			name: "fieldref compares two fields",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  same:
    cs-referer|fieldref: cs-host
  inside:
    cs-uri-query|fieldref|contains: cs-host
  condition: same or inside
`,
			records: `{"type":"http","referrer":"H.example","host":"h.example","uri":"/"}
{"type":"http","referrer":"other","host":"h.example","uri":"/go/h.example/x"}
{"type":"http","referrer":"other","host":"h.example","uri":"/x"}
{"type":"http","host":"h.example","uri":"/x"}`,
			want: []int{0, 1},
		},
		{
			name: "numeric comparisons",
			rule: ruleHead + `logsource: {product: zeek, service: dns}
detection:
  long:
    query_length|gte: 60
  lowttl:
    TTLs|lt: 5
  condition: long or lowttl
`,
			records: `{"type":"dns","query_length":60,"TTLs":[300]}
{"type":"dns","query_length":59,"TTLs":[300,4]}
{"type":"dns","query_length":10,"TTLs":[300]}
{"type":"dns"}`,
			want: []int{0, 1},
		},
		{
			name: "time part modifiers",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  night:
    ts|hour: 3
  sunday_week:
    ts|week: 1
    ts|year: 2024
  condition: night or sunday_week
`,
			records: `{"type":"http","ts":"2024-06-01T03:15:00Z"}
{"type":"http","ts":"2024-06-01T04:15:00Z"}
{"type":"http","ts":"2024-01-03T12:00:00Z"}
{"type":"http","ts":"2023-01-04T12:00:00Z"}`,
			want: []int{0, 2},
		},
		{
			name: "windash and base64offset expansions",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  dash:
    c-uri|windash|contains: '-enc '
  b64:
    c-uri|base64offset|contains: 'whoami'
  condition: dash or b64
`,
			records: `{"type":"http","uri":"/run?c=powershell /enc x"}
{"type":"http","uri":"/run?c=powershell \u2013enc x"}
{"type":"http","uri":"/?q=d2hvYW1p"}
{"type":"http","uri":"/?q=IHdob2FtaQ"}
{"type":"http","uri":"/?q=whoami"}`,
			want: []int{0, 1, 2, 3},
		},
		{
			name: "regex flags m and s",
			rule: ruleHead + `logsource: {category: webserver}
detection:
  multiline:
    '|re|m': '^X-Forwarded-For: 127\.'
  dotall:
    '|re|s|i': 'host: evil.*cookie: session='
  condition: multiline or dotall
`,
			records: `{"type":"http","request_head":"GET / HTTP/1.1\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n"}
{"type":"http","request_head":"GET / HTTP/1.1\r\nY: X-Forwarded-For: 127.0.0.1\r\n\r\n"}
{"type":"http","request_head":"GET / HTTP/1.1\r\nHost: evil.example\r\nCookie: session=1\r\n\r\n"}
{"type":"http","request_head":"GET / HTTP/1.1\r\nCookie: session=1\r\nHost: evil.example\r\n\r\n"}`,
			want: []int{0, 2},
		},
		{
			name: "utf16 encodings then base64",
			rule: ruleHead + `logsource: {category: proxy}
detection:
  le:
    c-uri|utf16le|base64offset|contains: 'whoami'
  be:
    c-uri|utf16be|base64|contains: 'id'
  condition: le or be
`,
			records: `{"type":"http","uri":"/?p=dwBoAG8AYQBtAGkA"}
{"type":"http","uri":"/?p=AGkAZA=="}
{"type":"http","uri":"/?p=d2hvYW1p"}`,
			want: []int{0, 1},
		},
		{
			name: "expand with configured placeholders",
			rule: ruleHead + `logsource: {category: firewall}
detection:
  sel:
    dst_ip|expand: '%DomainControllers%'
  condition: sel
`,
			cfg: func(c *Config) {
				c.Placeholders = map[string][]string{"DomainControllers": {"10.0.0.5", "10.0.0.6"}}
			},
			records: `{"type":"flows","resp_h":"10.0.0.5"}
{"type":"flows","resp_h":"10.0.0.7"}`,
			want: []int{0},
		},
		{
			name: "synthesized firewall verdict",
			rule: ruleHead + `logsource: {category: firewall}
detection:
  selection:
    dst_port: [21, 23]
  selection_allow1:
    action: [forward, accept, 2]
  selection_allow2:
    blocked: "false"
  condition: selection and 1 of selection_allow*
`,
			records: `{"type":"flows","resp_p":23,"conn_state":"SF"}
{"type":"flows","resp_p":23,"conn_state":"REJ"}
{"type":"flows","resp_p":23,"conn_state":"S0"}
{"type":"flows","resp_p":21,"conn_state":"S1"}
{"type":"flows","resp_p":80,"conn_state":"SF"}
{"type":"flows","resp_p":23}`,
			want: []int{0, 3},
		},
		{
			name: "host remap of Windows DNS client drops EventID",
			rule: ruleHead + `logsource: {product: windows, service: dns-client}
detection:
  selection:
    EventID: 3008
    QueryName|contains: '.anonfiles.com'
  condition: selection
`,
			cfg: func(c *Config) { c.HostRemap = true },
			records: `{"type":"dns","query":"cdn.anonfiles.com"}
{"type":"dns","query":"example.com"}`,
			want: []int{0},
		},
	})
}

// TestLoadVerdicts checks that rules the engine cannot serve are skipped
// with a reason that names the problem, and broken rules are invalid with
// their position.
func TestLoadVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		cfg    func(*Config)
		status Status
		reason string
	}{
		{"host field", ruleHead + "logsource: {category: network_connection, product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\\\x.exe'\n    DestinationPort: 4444\n  condition: sel\n",
			func(c *Config) { c.HostRemap = true }, Skipped, "field Image requires host telemetry"},
		{"host logsource without remap", ruleHead + "logsource: {category: dns_query, product: windows}\ndetection:\n  sel:\n    QueryName: x\n  condition: sel\n",
			nil, Skipped, "enable host remapping"},
		{"unknown field", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    resp_mime_types: x\n  condition: sel\n",
			nil, Skipped, "needs HTTP body MIME sniffing"},
		{"expand without values", ruleHead + "logsource: {category: firewall}\ndetection:\n  sel:\n    dst_ip|expand: '%Servers%'\n  condition: sel\n",
			nil, Skipped, "placeholder %Servers% has no configured values"},
		{"zeek smb", ruleHead + "logsource: {product: zeek, service: smb_files}\ndetection:\n  sel:\n    path: x\n  condition: sel\n",
			nil, Skipped, "needs an SMB2"},
		{"keywords without full text", ruleHead + "logsource: {category: dns}\ndetection:\n  kw:\n    - evil\n  condition: kw\n",
			nil, Skipped, "keyword (field-less) search needs a full-text column"},
		{"verdict disabled", ruleHead + "logsource: {category: firewall}\ndetection:\n  sel:\n    action: accept\n  condition: sel\n",
			func(c *Config) { c.FirewallVerdict = false }, Skipped, "firewall verdict"},
		{"pseudo comparison", ruleHead + "logsource: {category: dns}\ndetection:\n  sel:\n    query_length: '> 70'\n  condition: sel\n",
			nil, Skipped, "pseudo comparison"},
		{"unknown modifier", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|contain: x\n  condition: sel\n",
			nil, Invalid, `line 8, column 5: key "c-uri|contain": unknown modifier "contain"`},
		{"undefined identifier", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: sel and filter\n",
			nil, Invalid, `condition refers to undefined search identifier "filter"`},
		{"upper-case operator", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: sel AND sel\n",
			nil, Invalid, `line 9, column 18: condition "sel AND sel": unexpected "AND" after a complete expression (operators are lower case)`},
		{"missing title", "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: sel\n",
			nil, Invalid, "missing title"},
		{"bad level", ruleHead + "level: severe\nlogsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: sel\n",
			nil, Invalid, "duplicate key \"level\""},
		{"regex syntax", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|re: '(abc'\n  condition: sel\n",
			nil, Invalid, "regular expression \"(abc\""},
		{"regex look-ahead", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|re: 'a(?!b)'\n  condition: sel\n",
			nil, Skipped, "RE2 does not support"},
		{"cidr host bits", ruleHead + "logsource: {category: firewall}\ndetection:\n  sel:\n    dst_ip|cidr: 10.1.0.0/8\n  condition: sel\n",
			nil, Invalid, "host bits set"},
		{"re not first", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|contains|re: x\n  condition: sel\n",
			nil, Invalid, "re must be the first modifier"},
		{"base64 wildcard", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|base64: 'a*'\n  condition: sel\n",
			nil, Invalid, "base64 of a value with wildcards"},
		{"empty after dropping selectors", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: not 1 of filter_*\n",
			nil, Invalid, "empty once selectors that match no identifier are dropped"},
		{"time modifier on text", ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|hour: 3\n  condition: sel\n",
			nil, Skipped, "needs a timestamp column"},
		{"yaml syntax", "title: [unclosed\n", nil, Invalid, "line 1: YAML"},
		{"legacy min", ruleHead + "logsource: {category: firewall}\ndetection:\n  sel:\n    dst_port: 53\n  timeframe: 1m\n  condition: sel | min(orig_bytes) by src_ip > 3\n",
			nil, Skipped, "legacy min() aggregation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			_, rep := loadRuleText(t, cfg, tc.rule)
			if len(rep.Rules) != 1 {
				t.Fatalf("report has %d entries, want 1", len(rep.Rules))
			}
			r := rep.Rules[0]
			if r.Status != tc.status || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("verdict = %s %q, want %s containing %q", r.Status, r.Reason, tc.status, tc.reason)
			}
		})
	}
}

// TestDroppedSelectorWarns checks the load-time warning that accompanies
// pySigma's treatment of a selector matching no identifier.
func TestDroppedSelectorWarns(t *testing.T) {
	_, rep := loadRuleText(t, DefaultConfig(), ruleHead+"logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri: x\n  condition: sel and not 1 of filter_*\n")
	r := rep.Rules[0]
	if r.Status != Supported || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `"1 of filter_*" matches no search identifier`) {
		t.Errorf("report = %s %q, warnings %q; want supported with one warning about 1 of filter_*", r.Status, r.Reason, r.Warnings)
	}
}
