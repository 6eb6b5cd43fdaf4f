"""The embedded local stack behind `aisre serve`: an AWS emulator provisioned from template.yaml."""
