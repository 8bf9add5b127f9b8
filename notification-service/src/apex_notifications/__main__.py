from apex_runtime.main import run_service

from .app import SERVICE, build

run_service(SERVICE, build)
