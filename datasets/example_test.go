package datasets_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"flowsift/datasets"
)

func ExampleGenerate() {
	cfg := datasets.Config{
		Scenarios:  []string{datasets.AttackPortScanVertical},
		Seed:       42,
		Scale:      0.02, // 20 ports
		AttackSpan: time.Second,
	}
	t, err := datasets.Generate(context.Background(), io.Discard, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	states := map[string]int{}
	for _, f := range t.Flows {
		states[f.History+" "+f.ConnState]++
	}
	fmt.Println(t.Events[0].Type, t.FlowCount, "flows")
	fmt.Println(states)
	// Output:
	// port_scan_vertical 20 flows
	// map[ShR RSTO:3 Sr REJ:17]
}
