from khadamat.api.resolver import build_app
from khadamat.observability import http_entry
from khadamat.usecases import dev

app = build_app()


@app.post("/_dev/jobs/<job>")
def run_job(job: str):
    dev.require_local_stage()
    return dev.run_job(job)


lambda_handler = http_entry(app)
