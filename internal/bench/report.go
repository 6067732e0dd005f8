package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPUs      int
	CPUModel  string
	MemoryMiB int64
	Kernel    string
	Terraform string
	Go        string
	Date      time.Time
	// LoadBefore and LoadAfter are the 1-minute load averages from
	// /proc/loadavg when the benchmark started and ended: other work on the
	// machine slows Terraform, which is CPU-bound at these sizes.
	LoadBefore string
	LoadAfter  string
	Duration   time.Duration
}

// Finish records the load average at the end and the benchmark's duration.
func (m *Machine) Finish(d time.Duration) {
	m.LoadAfter = loadAverage()
	m.Duration = d
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(data), " ")
	return first
}

// DescribeMachine reads the machine's CPU and memory from /proc and the
// CLI's version from cli version.
func DescribeMachine(cli string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Date: time.Now().UTC(), LoadBefore: loadAverage()}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if total := procField("/proc/meminfo", "MemTotal"); total != "" {
		var kib int64
		if _, err := fmt.Sscanf(total, "%d kB", &kib); err == nil {
			m.MemoryMiB = kib / 1024
		}
	}
	if kernel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(kernel))
	}
	cmd := exec.Command(cli, "version") //nolint:gosec // the CLI the benchmark was given
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	if out, err := cmd.Output(); err == nil {
		m.Terraform, _, _ = strings.Cut(string(out), "\n")
	}
	return m
}

// procField returns the value of the first "name : value" line of a /proc
// file.
func procField(path, name string) string {
	f, err := os.Open(path) //nolint:gosec // a fixed /proc path
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), ":")
		if ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// operationColumns are the table's call columns: a heading and the orgsim
// operation names it counts. Every other operation is counted as other.
var operationColumns = []struct {
	heading    string
	operations []string
}{
	{"token", []string{"oauth.token"}},
	{"readMetadata", []string{"metadata.readMetadata"}},
	{"listMetadata", []string{"metadata.listMetadata"}},
	{"updateMetadata", []string{"metadata.updateMetadata"}},
	{"query", []string{"rest.query"}},
	{"sObject create", []string{"rest.sobjects.create"}},
}

// Report returns the machine, the results table and the lone read waits
// as Markdown.
func Report(m Machine, command string, latency time.Duration, planRuns int, results []*Result, lone LoneReads) string {
	var b strings.Builder
	w := &b
	fmt.Fprintf(w, "Command: `%s`\n\n", command)
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %d MiB memory, Linux %s, %s, %s. Date: %s.\n\n",
		m.CPUs, m.CPUModel, m.MemoryMiB, m.Kernel, m.Terraform, m.Go, m.Date.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "Load average: %s at the start, %s at the end. Duration: %s.\n\n", m.LoadBefore, m.LoadAfter,
		m.Duration.Round(time.Second))
	fmt.Fprintf(w, "Simulated latency: %s per call. Terraform runs at its default -parallelism (10).\n\n", latency)
	if planRuns > 1 {
		fmt.Fprintf(w, "Each plan ran %d times; the table shows the run with the median wall time.\n\n", planRuns)
	}

	fmt.Fprint(w, "| N | batch_reads | step |")
	for _, col := range operationColumns {
		fmt.Fprintf(w, " %s |", col.heading)
	}
	fmt.Fprint(w, " other | calls | wall (s) | wall on/off | calls on/off | provider peak (MiB) |"+
		" Terraform CPU (s) | provider CPU (s) |\n")
	fmt.Fprint(w, "|---:|---|---|")
	for range operationColumns {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprint(w, "---:|---:|---:|---:|---:|---:|---:|---:|\n")

	for _, res := range results {
		mode := "off"
		if res.BatchReads {
			mode = "on"
		}
		for _, step := range res.Steps {
			fmt.Fprintf(w, "| %d | %s | %s |", res.Apps, mode, step.Name)
			counted := 0
			for _, col := range operationColumns {
				n := 0
				for _, op := range col.operations {
					n += step.Calls[op]
				}
				counted += n
				fmt.Fprintf(w, " %d |", n)
			}
			wallRatio, callRatio := "", ""
			if res.BatchReads {
				if off := findStep(results, res.Apps, false, step.Name); off != nil {
					wallRatio = fmt.Sprintf("%.2f", step.Wall.Seconds()/off.Wall.Seconds())
					callRatio = fmt.Sprintf("%.3f", float64(step.TotalCalls())/float64(max(off.TotalCalls(), 1)))
				}
			}
			fmt.Fprintf(w, " %d | %d | %.1f | %s | %s | %.1f | %.1f | %.1f |\n", step.TotalCalls()-counted,
				step.TotalCalls(), step.Wall.Seconds(), wallRatio, callRatio, float64(step.PeakKiB)/1024,
				step.TerraformCPU.Seconds(), step.ProviderCPU.Seconds())
		}
	}
	if len(lone.Held) > 0 {
		fmt.Fprintf(w, "\nLone reads: %d single FindConnectedApp calls with batch_reads on waited %.1f ms at the "+
			"median and %.1f ms at most before their readMetadata request was sent.\n",
			len(lone.Held), ms(lone.Median()), ms(lone.Max()))
	}
	return b.String()
}

// Targets checks the results against the targets and returns one line per
// target.
func Targets(results []*Result, lone LoneReads) string {
	var b strings.Builder
	w := &b
	fmt.Fprintln(w, "\nTargets:")
	check := func(met bool, format string, args ...any) {
		status := "MISSED"
		if met {
			status = "met"
		}
		fmt.Fprintf(w, "- %s: %s\n", status, fmt.Sprintf(format, args...))
	}
	if on, off := findStep(results, 100, true, StepPlan), findStep(results, 100, false, StepPlan); on != nil && off != nil {
		check(on.TotalCalls() <= 15, "N=100 plan with no changes, batch_reads on: %d API calls (at most 15)", on.TotalCalls())
		check(off.TotalCalls() >= 500, "N=100 plan with no changes, batch_reads off: %d API calls (at least 500)",
			off.TotalCalls())
		ratio := on.Wall.Seconds() / off.Wall.Seconds()
		check(ratio <= 0.4, "N=100 plan with no changes: wall time on/off %.2f (%.1fs / %.1fs, at most 0.4)",
			ratio, on.Wall.Seconds(), off.Wall.Seconds())
	}
	for _, res := range results {
		if res.Apps != 500 || !res.BatchReads {
			continue
		}
		var peak int64
		for _, step := range res.Steps {
			peak = max(peak, step.PeakKiB)
		}
		check(float64(peak)/1024 <= 100, "N=500 provider peak memory %.1f MiB (at most 100)", float64(peak)/1024)
	}
	if len(lone.Held) > 0 {
		check(lone.Max() <= 25*time.Millisecond, "a lone read waited at most %.1f ms (at most 25)", ms(lone.Max()))
	}
	return b.String()
}

func findStep(results []*Result, apps int, batchReads bool, name string) *Step {
	for _, res := range results {
		if res.Apps != apps || res.BatchReads != batchReads {
			continue
		}
		for i := range res.Steps {
			if res.Steps[i].Name == name {
				return &res.Steps[i]
			}
		}
	}
	return nil
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
