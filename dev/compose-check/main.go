// compose-check: loads a compose file with compose-go, the loader `docker compose config` uses (schema
// validation, interpolation, env_file merging), and prints the resolved project as JSON. For machines
// without a Docker engine: `cd dev/compose-check && go run . [--env-file F] ../../docker-compose.yml`
// (see docs/docker.md). Without --env-file, a .env beside the compose file is read, as compose does.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", "", "the .env file to read instead of the one beside the compose file")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--env-file F] <compose file>...")
		os.Exit(2)
	}
	options := []cli.ProjectOptionsFn{cli.WithOsEnv}
	if *envFile != "" {
		options = append(options, cli.WithEnvFiles(*envFile))
	}
	options = append(options, cli.WithDotEnv)
	opts, err := cli.NewProjectOptions(flag.Args(), options...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := json.Marshal(project)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
