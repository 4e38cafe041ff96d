package dns_test

import (
	"fmt"

	"flowsift/extract/proto/dns"
)

// Example shows how the flow table drives the package for one UDP flow:
// parse each datagram into a reused Message, hand it to the flow's Pairer,
// and flush the Pairer when the flow ends.
func Example() {
	query := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" +
		"\x03WWW\x07example\x03com\x00\x00\x01\x00\x01")
	response := []byte("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" +
		"\x03www\x07example\x03com\x00\x00\x01\x00\x01" +
		"\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xc0\x00\x02\x01")

	p := dns.NewPairer(dns.Config{}, func(t *dns.Transaction) {
		fmt.Println(*t.Query, *t.QTypeName, *t.RcodeName, t.Answers, t.TTLs, *t.RTT, t.Metrics.RegisteredDomain)
	})
	var m dns.Message
	for i, msg := range [][]byte{query, response} {
		if err := dns.Parse(msg, &m); err != nil {
			fmt.Println("problem:", err) // count it; keep going
		}
		p.Message(&m, int64(i)*15_000_000)
	}
	p.Flush()
	// Output: www.example.com A NOERROR [192.0.2.1] [3600] 15ms example.com
}

// ExampleSplitter cuts DNS-over-TCP messages out of stream chunks.
func ExampleSplitter() {
	var s dns.Splitter
	var m dns.Message
	stream := []byte("\x00\x1d\x00\x07\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x10\x00\x01")
	for _, chunk := range [][]byte{stream[:5], stream[5:]} {
		s.Write(chunk, func(msg []byte) {
			if dns.Parse(msg, &m) == nil {
				fmt.Println(m.ID, string(m.Query), dns.QTypeName(m.QType))
			}
		})
	}
	// Output: 7 example.org TXT
}
