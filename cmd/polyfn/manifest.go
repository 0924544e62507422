package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/polyfn/polyfn/providers/aws/sam"
	"github.com/polyfn/polyfn/providers/azure/funcapp"
	"github.com/polyfn/polyfn/providers/gcp/gcloud"
)

func runManifest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "manifest", "manifest --provider aws|azure|gcp|cloudflare [--arch arm64|amd64] [--out DIR] PKG")
	provider := fs.String("provider", "", "cloud: aws (SAM template), azure (function app files, configure.sh and resources.bicep) or gcp (gcloud deploy script)")
	arch := fs.String("arch", "arm64", "aws: the functions' architecture, arm64 or amd64")
	out := fs.String("out", "", "write the files to this directory instead of printing them")
	pkg, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkProvider(*provider, providers...); err != nil {
		return err
	}
	app, _, err := loadApp(ctx, e, pkg)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	var names []string
	switch *provider {
	case "aws":
		b, err := sam.Template(app, sam.Options{Architecture: *arch})
		if err != nil {
			return err
		}
		files["template.yaml"], names = b, []string{"template.yaml"}
	case "azure":
		if files, err = funcapp.Files(app, funcapp.HostOptions{}); err != nil {
			return err
		}
		names = funcapp.FileNames(files)
	case "cloudflare":
		if files, names, err = cloudflareManifests(app, pkg); err != nil {
			return err
		}
	case "gcp":
		b, err := gcloud.Script(app, gcloud.Options{Source: "dist/gcp/source"})
		if err != nil {
			return err
		}
		files["deploy.sh"], names = b, []string{"deploy.sh"}
	}
	for _, name := range names {
		if *out == "" {
			if len(names) > 1 {
				fmt.Fprintf(e.stdout, "# %s\n", name)
			}
			if _, err := e.stdout.Write(files[name]); err != nil {
				return err
			}
			continue
		}
		p := filepath.Join(*out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		e.progress("wrote %s", p)
	}
	return nil
}
