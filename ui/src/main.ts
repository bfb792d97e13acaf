import { mount } from "svelte";
import { getCurrentWindow } from "@tauri-apps/api/window";
import App from "./App.svelte";
import Kiosk from "./kiosk/Kiosk.svelte";
import "./app.css";

// One bundle, two windows: the staff window and the guest-facing kiosk.
const isKiosk = getCurrentWindow().label === "kiosk";
export default mount(isKiosk ? Kiosk : App, { target: document.getElementById("app")! });
