package sigma_test

import (
	"fmt"
	"os"

	"flowsift/detect/sigma"
	"flowsift/extract/table"
)

const exampleRule = `title: Scanner user agent
id: 0b6a1d44-9c3e-4a3b-8f36-2f6c1f8e9a01
logsource:
  category: proxy
detection:
  selection:
    c-useragent|contains: 'sqlmap'
  filter:
    cs-host: 'pentest.example'
  condition: selection and not filter
`

func Example() {
	rs, rep := sigma.Compile(sigma.DefaultConfig(), sigma.Parse("example.yml", []byte(exampleRule)))
	fmt.Println(rep.Rules[0].Status, rep.Rules[0].RecordType)
	t := &table.Table{Rows: 3, Columns: map[string]*table.Column{
		"user_agent": {Name: "user_agent", Kind: table.String, Strs: []string{"sqlmap/1.7", "Mozilla/5.0", "SQLMap/1.8"}},
		"host":       {Name: "host", Kind: table.String, Strs: []string{"shop.example", "shop.example", "pentest.example"}},
	}}
	for _, m := range rs.MatchTable(sigma.HTTP, t) {
		fmt.Println(m.RuleID, m.Rows)
	}
	// Output:
	// supported http
	// 0b6a1d44-9c3e-4a3b-8f36-2f6c1f8e9a01 [0]
}

func ExampleRuleset_SQL() {
	rs, _ := sigma.Compile(sigma.DefaultConfig(), sigma.Parse("example.yml", []byte(exampleRule)))
	if _, err := sigma.WriteSQL(os.Stdout, rs.SQL("/cases/42")); err != nil {
		fmt.Println(err)
	}
	// Output:
	// -- Scanner user agent (0b6a1d44-9c3e-4a3b-8f36-2f6c1f8e9a01)
	// SELECT uid, trans_depth, ts, orig_h, orig_p, resp_h, resp_p, capture_id
	// FROM read_parquet('/cases/42/http.parquet')
	// WHERE (coalesce(lower("user_agent") LIKE '%sqlmap%' ESCAPE '\', FALSE) AND (NOT coalesce(lower("host") = 'pentest.example', FALSE)))
	// ORDER BY ts, uid, trans_depth;
}
