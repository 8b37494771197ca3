#pragma once
#define PLANTWIN_VERSION "0.1.0"
