package detect

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"flowsift/datasets"
	"flowsift/detect/alert"
)

// expectedDetection is the threshold detection each generated scenario
// must raise.
var expectedDetection = map[string]string{
	datasets.AttackSYNFlood:           "syn-flood",
	datasets.AttackSYNFloodSpoofed:    "syn-flood",
	datasets.AttackICMPFlood:          "icmp-flood",
	datasets.AttackHTTPFlood:          "http-flood",
	datasets.AttackUDPFlood:           "udp-flood",
	datasets.AttackPortScanVertical:   "port-scan",
	datasets.AttackPortScanHorizontal: "port-scan",
	datasets.AttackConnectScan:        "port-scan",
	datasets.AttackUDPScan:            "port-scan",
	datasets.AttackDNSTunnel:          "dns-tunnel",
	datasets.AttackExfiltration:       "exfiltration",
	datasets.AttackAsymmetricDDoS:     "asymmetric",
	datasets.AttackUnusualPorts:       "unusual-ports",
	datasets.AttackDNSAmplification:   "amplification",
	datasets.AttackSYNACKReflection:   "amplification",
	datasets.AttackBeaconing:          "beaconing",
	datasets.AttackICMPTunnel:         "icmp-tunnel",
}

// run generates a scenario over the office background, extracts it and
// runs the threshold detections.
func runScenario(t *testing.T, scenario string, seed uint64) ([]alert.Alert, *datasets.Truth) {
	t.Helper()
	dir := t.TempDir()
	pcap := filepath.Join(dir, "in.pcap")
	cfg := datasets.DefaultConfig()
	cfg.Scenarios = []string{scenario}
	cfg.Seed = seed
	cfg.Benign = true
	if scenario == datasets.Benign {
		cfg.Scenarios = []string{datasets.Benign}
		cfg.Duration = 30 * time.Minute
		cfg.Hosts = 20
	}
	if scenario == datasets.AttackBeaconing {
		cfg.Duration = 2 * time.Hour
	}
	truth, err := datasets.WriteCapture(context.Background(), pcap, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	alerts := detectCapture(t, pcap)
	return alerts, truth
}

// TestScenarioDetections: every generated attack raises its detection,
// naming the attacker (or, for spoofed floods and reflection, the victim);
// no alert names a host that took no part in an attack as its actor.
func TestScenarioDetections(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and analyses every scenario")
	}
	for _, sc := range datasets.Scenarios() {
		want, ok := expectedDetection[sc.Name]
		if !ok {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			alerts, truth := runScenario(t, sc.Name, 11)
			var ev datasets.Event
			for _, e := range truth.Events {
				if e.Type == sc.Name {
					ev = e
				}
			}
			involved := map[string]bool{}
			for _, a := range append(append([]string{}, ev.Attackers...), ev.Victims...) {
				involved[a] = true
			}
			found := false
			for _, a := range alerts {
				if a.RuleID == want && overlaps(a.Dst, ev.Victims) && (len(ev.Attackers) == 0 || overlaps(a.Src, ev.Attackers)) {
					found = true
				}
				for _, s := range a.Src {
					if !involved[s] && !ev.Spoofed {
						t.Errorf("alert %s %q names %s, which is not part of the attack (attackers %v, victims %v)", a.RuleID, a.Name, s, ev.Attackers, ev.Victims)
					}
				}
			}
			if !found {
				var got []string
				for _, a := range alerts {
					got = append(got, a.RuleID+": "+a.Name)
				}
				t.Errorf("no %s alert with attackers %v and victims %v; alerts: %q", want, ev.Attackers, ev.Victims, got)
			}
		})
	}
}

// TestBenignMixRaisesNothing: a long office capture with many hosts raises
// no alert at the default thresholds.
func TestBenignMixRaisesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and analyses a 30-minute office capture")
	}
	for _, seed := range []uint64{1, 2, 3} {
		alerts, _ := runScenario(t, datasets.Benign, seed)
		for _, a := range alerts {
			t.Errorf("seed %d: benign capture raised %s: %s (%s)", seed, a.RuleID, a.Name, a.Description)
		}
	}
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
