//! The docker compose backend: the project's own `deploy/docker-compose.yml`, started under a
//! compose project of the harness's, with faults made by the docker engine — `docker kill`,
//! `docker pause`, and `docker network disconnect` for partitions (which cuts a node's Raft
//! traffic and its published client port alike).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::client::{Link, cmd};
use crate::cluster::Backend;

/// A three-node compose cluster the harness started and removes when dropped.
pub struct Compose {
    /// `docker compose` or `docker-compose`.
    compose: Vec<String>,
    file: PathBuf,
    project: String,
    env: Vec<(String, String)>,
    /// Host ports of node1..3's client port.
    ports: Vec<u16>,
    /// Container ids of node1..3.
    containers: Vec<String>,
    network: String,
    up: Vec<bool>,
    paused: Vec<bool>,
    isolated: Vec<u64>,
    data: PathBuf,
    keep: bool,
}

/// Runs `program args` and returns its stdout, or an error with its stderr.
fn output(program: &str, args: &[&str], env: &[(String, String)]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn docker(args: &[&str]) -> Result<String> {
    output("docker", args, &[])
}

fn compose_command() -> Result<Vec<String>> {
    if output("docker", &["compose", "version"], &[]).is_ok() {
        return Ok(vec!["docker".into(), "compose".into()]);
    }
    if output("docker-compose", &["version", "--short"], &[]).is_ok() {
        return Ok(vec!["docker-compose".into()]);
    }
    bail!("neither 'docker compose' nor 'docker-compose' works on this machine")
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn current_ids() -> (String, String) {
    let id = |flag: &str| output("id", &[flag], &[]).unwrap_or_else(|_| "0".to_string());
    (id("-u"), id("-g"))
}

impl Compose {
    /// Builds the image from `bin_dir`'s binaries with `deploy/image.sh`, brings the compose
    /// file's three nodes up with fresh data, and waits until each answers PING.
    pub fn start(deploy: &Path, bin_dir: &Path, keep: bool) -> Result<Compose> {
        let compose = compose_command()?;
        let file = deploy.join("docker-compose.yml");
        if !file.exists() {
            bail!(
                "{} not found (--deploy names the deploy/ folder)",
                file.display()
            );
        }
        let project = format!("redraftchaos{}", std::process::id());
        let image = format!("{project}:latest");
        let status = Command::new(deploy.join("image.sh"))
            .arg(bin_dir)
            .arg(&image)
            .stdout(Stdio::null())
            .status()
            .context("cannot run deploy/image.sh")?;
        if !status.success() {
            bail!(
                "deploy/image.sh could not build {image} from {}",
                bin_dir.display()
            );
        }
        let data = std::env::temp_dir().join(&project);
        for n in 1..=3 {
            std::fs::create_dir_all(data.join(format!("node{n}")))?;
        }
        let ports = vec![free_port()?, free_port()?, free_port()?];
        let (uid, gid) = current_ids();
        let mut env = vec![
            ("REDRAFT_IMAGE".to_string(), image),
            ("REDRAFT_DATA".to_string(), data.display().to_string()),
            ("REDRAFT_UID".to_string(), uid),
            ("REDRAFT_GID".to_string(), gid),
            ("REDIS_PASSWORD".to_string(), String::new()),
            ("REDRAFT_ALLOW_NO_PASSWORD".to_string(), "yes".to_string()),
        ];
        for (i, port) in ports.iter().enumerate() {
            env.push((format!("REDRAFT_PORT{}", i + 1), port.to_string()));
        }
        let mut cluster = Compose {
            compose,
            file,
            project,
            env,
            ports,
            containers: Vec::new(),
            network: String::new(),
            up: vec![true; 3],
            paused: vec![false; 3],
            isolated: Vec::new(),
            data,
            keep,
        };
        cluster.compose_run(&["up", "-d"])?;
        for n in 1..=3 {
            let id = cluster.compose_run(&["ps", "-q", &format!("node{n}")])?;
            if id.is_empty() {
                bail!("compose started no container for node{n}");
            }
            // The harness restarts what it kills; docker must not do it behind its back.
            docker(&["update", "--restart", "no", &id])?;
            cluster.containers.push(id);
        }
        cluster.network = format!("{}_default", cluster.project);
        for id in 1..=3 {
            cluster.wait_answering(id)?;
        }
        Ok(cluster)
    }

    fn compose_run(&self, args: &[&str]) -> Result<String> {
        let file = self.file.display().to_string();
        let mut all: Vec<&str> = self.compose[1..].iter().map(String::as_str).collect();
        all.extend(["-p", &self.project, "-f", &file]);
        all.extend(args);
        output(&self.compose[0], &all, &self.env)
    }

    fn index(id: u64) -> usize {
        (id.max(1) - 1) as usize
    }

    fn container(&self, id: u64) -> &str {
        self.containers
            .get(Self::index(id))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// A published port accepts connections even when nothing listens behind it, so wait for
    /// an answer to PING.
    fn wait_answering(&self, id: u64) -> Result<()> {
        let addr = self.client_addr(id);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut link) = Link::connect(&addr)
                && link.query(&cmd("PING")).is_ok()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("node{id} did not answer on {addr} within 30 s")
    }

    /// Where the nodes' data is.
    pub fn root(&self) -> &PathBuf {
        &self.data
    }
}

impl Backend for Compose {
    fn ids(&self) -> Vec<u64> {
        vec![1, 2, 3]
    }

    fn client_addr(&self, id: u64) -> String {
        format!("127.0.0.1:{}", self.ports[Self::index(id)])
    }

    fn raft_addr(&self, id: u64) -> String {
        format!("node{id}:7379")
    }

    /// A partition cuts the published port too; there is no way around it from the host.
    fn admin_addr(&self, id: u64) -> String {
        self.client_addr(id)
    }

    fn is_up(&self, id: u64) -> bool {
        self.up[Self::index(id)]
    }

    fn kill(&mut self, id: u64) {
        self.resume(id);
        let _ = docker(&["kill", "-s", "KILL", self.container(id)]);
        self.up[Self::index(id)] = false;
    }

    fn start(&mut self, id: u64, extra: &[String]) -> Result<()> {
        if !extra.is_empty() {
            bail!(
                "the docker backend starts nodes with the compose file's flags only, not {}",
                extra.join(" ")
            );
        }
        self.kill(id);
        docker(&["start", self.container(id)])?;
        self.up[Self::index(id)] = true;
        if self.isolated.contains(&id) {
            return Ok(());
        }
        self.wait_answering(id)
    }

    fn pause(&mut self, id: u64) {
        if docker(&["pause", self.container(id)]).is_ok() {
            self.paused[Self::index(id)] = true;
        }
    }

    fn resume(&mut self, id: u64) {
        if self.paused[Self::index(id)] {
            let _ = docker(&["unpause", self.container(id)]);
            self.paused[Self::index(id)] = false;
        }
    }

    fn isolate(&mut self, ids: &[u64]) {
        for &id in ids {
            if self.isolated.contains(&id) {
                continue;
            }
            let container = self.container(id).to_string();
            if docker(&["network", "disconnect", "-f", &self.network, &container]).is_ok() {
                self.isolated.push(id);
            }
        }
    }

    fn heal(&mut self) {
        for id in std::mem::take(&mut self.isolated) {
            let container = self.container(id).to_string();
            let alias = format!("node{id}");
            let _ = docker(&[
                "network",
                "connect",
                "--alias",
                &alias,
                &self.network,
                &container,
            ]);
        }
    }

    fn base_args(&self) -> &[String] {
        &[]
    }
}

impl Drop for Compose {
    fn drop(&mut self) {
        self.heal();
        for id in self.ids() {
            self.resume(id);
        }
        let _ = self.compose_run(&["down", "-v", "--remove-orphans"]);
        let image = format!("{}:latest", self.project);
        let _ = docker(&["image", "rm", "-f", &image]);
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.data);
        }
    }
}
