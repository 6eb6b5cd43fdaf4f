"""Lambda: workflows over HTTP from API Gateway (/workflows*, /api/v1/workflows*): the definitions, starting runs
(Step Functions executions) and reading their status. It neither reads nor writes a cluster: its role can start
and read the workflows' executions and create the state machines of a workspace's own workflows."""

from aisre.lambda_http import http_handler

handler = http_handler(["workflows"])
