package bench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

func TestWriteConfigBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.tf")
	if err := WriteConfig(path, 3, false); err != nil {
		t.Fatalf("WriteConfig: %v", err)
	}
	data, err := os.ReadFile(path) //nolint:gosec // a file the test wrote
	if err != nil {
		t.Fatal(err)
	}
	config := string(data)
	for _, tc := range []struct {
		block string
		want  int
	}{
		{"import {", 3},
		{`resource "salesforce_connected_app" `, 3},
		{`resource "salesforce_connected_app_policy" `, 3},
		{`resource "salesforce_connected_app_assignment" `, 9},
		{`ip_relaxation        = "relax"`, 0},
	} {
		if got := strings.Count(config, tc.block); got != tc.want {
			t.Errorf("%q appears %d times, want %d", tc.block, got, tc.want)
		}
	}
	if !strings.Contains(config, `id = "Bench_App_0003"`) {
		t.Error("the import block of Bench_App_0003 is missing")
	}
}

func TestWriteConfigChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.tf")
	if err := WriteConfig(path, 2, true); err != nil {
		t.Fatalf("WriteConfig: %v", err)
	}
	data, err := os.ReadFile(path) //nolint:gosec // a file the test wrote
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), `"relax"`); got != 1 {
		t.Errorf(`"relax" appears %d times, want once, in the first app's policy`, got)
	}
}

func TestWriteOrgLoads(t *testing.T) {
	dir := t.TempDir()
	if err := WriteOrg(dir, 12); err != nil {
		t.Fatalf("WriteOrg: %v", err)
	}
	org, err := orgsim.New(orgsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := org.LoadDir(dir); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	apps, err := os.ReadDir(filepath.Join(dir, "connectedApps"))
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 12 {
		t.Errorf("connectedApps holds %d files, want 12", len(apps))
	}
}

func benchResults() []*Result {
	step := func(name string, calls int, wall time.Duration, peakMiB int64) Step {
		return Step{Name: name, Calls: map[string]int{"metadata.readMetadata": calls}, Wall: wall, PeakKiB: peakMiB << 10}
	}
	return []*Result{
		{Apps: 100, BatchReads: true, Steps: []Step{step(StepPlan, 12, 3*time.Second, 40)}},
		{Apps: 100, BatchReads: false, Steps: []Step{step(StepPlan, 502, 10*time.Second, 40)}},
		{Apps: 500, BatchReads: true, Steps: []Step{step(StepPlan, 60, 20*time.Second, 120)}},
	}
}

func TestReportRatios(t *testing.T) {
	report := Report(Machine{CPUs: 2}, "make bench", 200*time.Millisecond, 1, benchResults(), LoneReads{})
	if !strings.Contains(report, "| 100 | on | plan, no changes | 0 | 12 |") {
		t.Errorf("report lacks the N=100 row with batch_reads on:\n%s", report)
	}
	if !strings.Contains(report, "| 0.30 | 0.024 |") {
		t.Errorf("report lacks the on/off ratios 0.30 and 0.024:\n%s", report)
	}
}

func TestTargetsMetAndMissed(t *testing.T) {
	lone := LoneReads{Held: []time.Duration{10 * time.Millisecond, 30 * time.Millisecond}}
	targets := Targets(benchResults(), lone)
	for _, want := range []string{
		"- met: N=100 plan with no changes, batch_reads on: 12 API calls",
		"- met: N=100 plan with no changes, batch_reads off: 502 API calls",
		"- met: N=100 plan with no changes: wall time on/off 0.30",
		"- MISSED: N=500 provider peak memory 120.0 MiB",
		"- MISSED: a lone read waited at most 30.0 ms",
	} {
		if !strings.Contains(targets, want) {
			t.Errorf("targets lack %q:\n%s", want, targets)
		}
	}
}

func TestMedianStepPicksMiddleWall(t *testing.T) {
	steps := []Step{{Wall: 9 * time.Second}, {Wall: 4 * time.Second}, {Wall: 6 * time.Second}}
	if got := medianStep(steps).Wall; got != 6*time.Second {
		t.Errorf("median wall = %s, want 6s", got)
	}
	if got := medianStep(steps[:1]).Wall; got != 9*time.Second {
		t.Errorf("median of one run = %s, want 9s", got)
	}
}

func TestSendRecorderCountsOnlyReadMetadata(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer server.Close()
	rec := &sendRecorder{base: http.DefaultTransport}
	client := &http.Client{Transport: rec}
	post := func(body string) {
		t.Helper()
		resp, err := client.Post(server.URL+"/services/Soap/m/68.0", "text/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}

	post("<soapenv:Body><listMetadata><queries><type>ConnectedApp</type></queries></listMetadata></soapenv:Body>")
	if !rec.sentAt.IsZero() {
		t.Error("a listMetadata request was taken for the read")
	}
	before := time.Now()
	post("<soapenv:Body><readMetadata><type>ConnectedApp</type></readMetadata></soapenv:Body>")
	if rec.sentAt.Before(before) {
		t.Errorf("sentAt = %v, want the time of the readMetadata request, after %v", rec.sentAt, before)
	}
}
