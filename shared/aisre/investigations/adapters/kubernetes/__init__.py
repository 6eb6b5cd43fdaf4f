"""Read-only Kubernetes tools (kubeconfig, EKS token, in-cluster), answering by HolmesGPT's tool names."""
