// Command bench runs the end-to-end benchmark that make bench starts. For
// each configuration size it starts orgsim with that many apps and runs
// Terraform's apply and two plans with batch_reads on, and also off for the
// sizes given to -off. It prints a Markdown table of API calls, wall time
// and provider peak memory, and the targets met or missed.
//
// Usage:
//
//	bench -terraform PATH -provider PATH -peakrss PATH -orgsim PATH [flags]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var opts bench.Options
	flag.StringVar(&opts.Terraform, "terraform", "", "path of the Terraform or OpenTofu CLI")
	flag.StringVar(&opts.Provider, "provider", "", "path of the provider binary")
	flag.StringVar(&opts.PeakRSS, "peakrss", "", "path of the peakrss wrapper")
	flag.StringVar(&opts.Orgsim, "orgsim", "", "path of the orgsim command")
	flag.DurationVar(&opts.Latency, "latency", 200*time.Millisecond, "latency orgsim adds to every call")
	sizes := flag.String("n", "10,100,500", "configuration sizes (apps) measured with batch_reads on")
	offSizes := flag.String("off", "10,100", "sizes also measured with batch_reads off")
	loneReads := flag.Int("lone-reads", 10, "number of single reads whose wait for company is measured")
	flag.IntVar(&opts.PlanRuns, "plan-runs", 3, "runs of each plan; the run with the median wall time is reported")
	timeout := flag.Duration("timeout", 14*time.Minute, "time after which the benchmark stops")
	work := flag.String("work", "", "folder for orgs, workspaces and logs; a new temporary folder when empty")
	keep := flag.Bool("keep", false, "keep the work folder")
	command := flag.String("command", "make bench", "command shown in the report")
	flag.Parse()
	for name, v := range map[string]string{
		"-terraform": opts.Terraform, "-provider": opts.Provider, "-peakrss": opts.PeakRSS, "-orgsim": opts.Orgsim,
	} {
		if v == "" {
			return fmt.Errorf("%s is required", name)
		}
	}
	on, err := parseSizes(*sizes)
	if err != nil {
		return err
	}
	off, err := parseSizes(*offSizes)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts.Progress = log.New(os.Stderr, "", 0)
	opts.WorkDir = *work
	if opts.WorkDir == "" {
		if opts.WorkDir, err = os.MkdirTemp("", "salesforce-bench-"); err != nil {
			return err
		}
	}
	if *keep {
		opts.Progress.Printf("bench: keeping %s", opts.WorkDir)
	} else {
		defer func() { _ = os.RemoveAll(opts.WorkDir) }()
	}

	machine := bench.DescribeMachine(opts.Terraform)
	started := time.Now()
	var results []*bench.Result
	var lone bench.LoneReads
	runErr := func() error {
		for _, n := range on {
			for _, batchReads := range []bool{true, false} {
				if !batchReads && !contains(off, n) {
					continue
				}
				res, err := bench.Run(ctx, opts, n, batchReads)
				if err != nil {
					return err
				}
				results = append(results, res)
			}
			if len(lone.Held) == 0 && *loneReads > 0 {
				var err error
				if lone, err = measureLoneReads(ctx, opts, n, *loneReads); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		runErr = fmt.Errorf("the benchmark did not finish within %s: %w", *timeout, runErr)
	}

	// A failed run still reports what it measured before the failure.
	machine.Finish(time.Since(started))
	if _, err := fmt.Print(bench.Report(machine, *command, opts.Latency, opts.PlanRuns, results, lone), bench.Targets(results, lone)); err != nil {
		return err
	}
	return runErr
}

// measureLoneReads starts an org of n apps and reads up to count of them,
// one at a time.
func measureLoneReads(ctx context.Context, opts bench.Options, n, count int) (bench.LoneReads, error) {
	dir, err := os.MkdirTemp(opts.WorkDir, "lone-")
	if err != nil {
		return bench.LoneReads{}, err
	}
	if err := bench.WriteOrg(dir, n); err != nil {
		return bench.LoneReads{}, err
	}
	org, err := bench.StartOrg(ctx, opts.Orgsim, dir, opts.Latency, dir+"/orgsim.log")
	if err != nil {
		return bench.LoneReads{}, err
	}
	defer org.Stop()
	var apps []string
	for i := 1; i <= min(n, count); i++ {
		apps = append(apps, bench.AppName(i))
	}
	return bench.MeasureLoneReads(ctx, org, apps)
}

func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, field := range strings.Split(list, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		n, err := strconv.Atoi(field)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid size %q: expected a positive number of apps", field)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func contains(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}
