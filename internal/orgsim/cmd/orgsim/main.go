// Command orgsim runs a simulated Salesforce org on a loopback address for
// tests. It prints the instance URL, such as http://127.0.0.1:40123, alone
// on the first line of standard output and serves until SIGINT or SIGTERM.
//
// Usage:
//
//	orgsim [flags]
//
// Flags:
//
//	-listen ADDR                    loopback address to listen on (default 127.0.0.1:0, a free port)
//	-load DIR                       sfdx source folder with connectedApps/, permissionsets/ and profiles/ to load
//	-access-token TOKEN             session id that is valid from the start; repeat for more
//	-client-id ID                   consumer key of an OAuth client
//	-client-secret SECRET           client secret of that client; enables client credentials
//	-refresh-token TOKEN            refresh token the client may redeem; repeat for more
//	-jwt-certificate FILE           PEM certificate that verifies the client's JWT assertions
//	-jwt-username NAME              username accepted as JWT sub; repeat for more
//	-run-as-username NAME           user that client-credentials tokens act as
//	-allow-connected-app-creation   let createMetadata create connected apps
//	-token-ttl DURATION             lifetime of issued tokens, such as 10m (default 0, no expiry)
//	-token-max-uses N               authenticated calls per token (default 0, unlimited)
//	-org-id ID                      organization Id (default 00D000000000001EAA)
//	-daily-limit N                  daily API request allocation (default 15000)
//	-query-batch-size N             records per query page (default 2000)
//	-latency DURATION               delay added to every request, such as 200ms (default 0)
//	-fault-rate FRACTION            share of API calls that fail with a transient fault (default 0)
//	-fault-after-commit FRACTION    share of faulted writes that fail after taking effect (default 0)
//	-seed N                         seed of the generator that picks faulted calls (default 1)
//	-lock-component NAME            connected app whose writes fail with UNABLE_TO_LOCK_ROW
//	-lock-duration DURATION         how long that app stays locked from its first write
//	-lock-writes N                  how many writes of that app fail
//	-v                              log one line per request to standard error
//
// The -client-secret, -refresh-token, -jwt-certificate, -jwt-username and
// -run-as-username flags configure the client named by -client-id and need
// it.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, os.Stderr, signals); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "orgsim: ") {
			msg = "orgsim: " + msg
		}
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(1)
	}
}

// run serves until stop receives a value.
func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) error {
	fs := flag.NewFlagSet("orgsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		// A usage text that cannot be written to standard error has nowhere else to go.
		_, _ = fmt.Fprintln(stderr, "Usage: orgsim [flags]")
		_, _ = fmt.Fprintln(stderr, "Runs a simulated Salesforce org on a loopback address and prints its instance URL on the first line.")
		fs.PrintDefaults()
	}
	var (
		opts          orgsim.Options
		client        orgsim.Client
		accessTokens  stringList
		refreshTokens stringList
		jwtUsernames  stringList
	)
	listen := fs.String("listen", "127.0.0.1:0", "loopback `address` to listen on; port 0 picks a free port")
	loadDir := fs.String("load", "", "sfdx source `folder` with connectedApps/, permissionsets/ and profiles/ to load")
	fs.Var(&accessTokens, "access-token", "session id (`token`) valid from the start; repeat for more")
	fs.StringVar(&client.ID, "client-id", "", "consumer key (`id`) of an OAuth client")
	fs.StringVar(&client.Secret, "client-secret", "", "client `secret` of the -client-id client; enables client credentials")
	fs.Var(&refreshTokens, "refresh-token", "refresh `token` the client may redeem; repeat for more")
	certFile := fs.String("jwt-certificate", "", "PEM certificate `file` that verifies the client's JWT assertions")
	fs.Var(&jwtUsernames, "jwt-username", "`username` accepted as JWT sub; repeat for more")
	fs.StringVar(&client.RunAsUsername, "run-as-username", "", "`username` that client-credentials tokens act as")
	fs.BoolVar(&opts.AllowConnectedAppCreation, "allow-connected-app-creation", false, "let createMetadata create connected apps")
	fs.DurationVar(&opts.TokenTTL, "token-ttl", 0, "lifetime of issued tokens, such as 10m; 0 means no expiry")
	fs.IntVar(&opts.TokenMaxUses, "token-max-uses", 0, "authenticated calls per token (`n`); 0 means unlimited")
	fs.StringVar(&opts.OrgID, "org-id", orgsim.DefaultOrgID, "organization `Id`")
	fs.IntVar(&opts.DailyLimit, "daily-limit", orgsim.DefaultDailyLimit, "daily API request allocation (`n` calls)")
	fs.IntVar(&opts.QueryBatchSize, "query-batch-size", orgsim.DefaultQueryBatchSize, "records per query page (`n`)")
	fs.DurationVar(&opts.Latency, "latency", 0, "delay added to every request, such as 200ms; 0 means none")
	fs.Float64Var(&opts.FaultRate, "fault-rate", 0, "share of API calls, from 0 to 1, that fail with a transient fault")
	fs.Float64Var(&opts.FaultAfterCommit, "fault-after-commit", 0, "share of faulted writes, from 0 to 1, that fail after taking effect")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed (`n`) of the generator that picks faulted calls and their kinds")
	fs.StringVar(&opts.LockComponent, "lock-component", "", "connected app (`name`) whose writes fail with UNABLE_TO_LOCK_ROW")
	fs.DurationVar(&opts.LockDuration, "lock-duration", 0, "how long -lock-component stays locked from its first write, such as 5s")
	fs.IntVar(&opts.LockWrites, "lock-writes", 0, "how many writes (`n`) of -lock-component fail; with neither this nor -lock-duration, all do")
	verbose := fs.Bool("v", false, "log one line per request to standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see -h", fs.Arg(0))
	}

	opts.AccessTokens = accessTokens
	client.RefreshTokens = refreshTokens
	client.JWTUsernames = jwtUsernames
	if *certFile != "" {
		pem, err := os.ReadFile(*certFile)
		if err != nil {
			return err
		}
		client.JWTCertificatePEM = pem
	}
	clientConfigured := client.Secret != "" || len(client.RefreshTokens) > 0 || len(client.JWTCertificatePEM) > 0 ||
		len(client.JWTUsernames) > 0 || client.RunAsUsername != ""
	if client.ID != "" {
		opts.Clients = []orgsim.Client{client}
	} else if clientConfigured {
		return errors.New("-client-secret, -refresh-token, -jwt-certificate, -jwt-username and -run-as-username need -client-id")
	}
	if *verbose {
		logger := log.New(stderr, "", log.LstdFlags)
		opts.Logf = logger.Printf
	}

	srv, err := orgsim.Listen(*listen, opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *loadDir != "" {
		if err := srv.Org.LoadDir(*loadDir); err != nil {
			return err
		}
	}

	out := bufio.NewWriter(stdout)
	if _, err := fmt.Fprintln(out, srv.URL); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stderr, "orgsim: serving url=%s org_id=%s\n", srv.URL, srv.Org.OrgID()); err != nil {
		return err
	}
	sig := <-stop
	_, err = fmt.Fprintf(stderr, "orgsim: stopping signal=%v\n", sig)
	return err
}
